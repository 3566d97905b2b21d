import { browser } from 'wxt/browser';
import { createLogger, errorFields } from '../log';
import { STATUS_GLANCE_KEY, type AgentStatus } from '../rpc';

const log = createLogger('ui').child('glance');

/**
 * [PERF3] The agent whose first run is done, as a page last heard it (`storage.session`: memory only, Parley's
 * pages only). With it the popup draws its content without first asking the agent `onboarding.get`.
 */
export const ONBOARDED_KEY = 'parley.onboarded';

/**
 * The agent's last status, kept by the background in `storage.session` (memory only, Parley's own pages
 * only) so the popup can draw its real content at once instead of waiting for a sleeping worker to start
 * (docs/protocol/surfaces.md UIS1). The live answer replaces it as soon as the agent gives it.
 */

let primed: AgentStatus | undefined;
let onboarded: string | undefined;

/** Reads the glance once, before the page renders (a few milliseconds: the browser answers, not the worker). */
export async function primeStatusGlance(): Promise<void> {
  try {
    const stored = await browser.storage.session.get([STATUS_GLANCE_KEY, ONBOARDED_KEY]);
    const value = stored[STATUS_GLANCE_KEY];
    primed = isStatus(value) ? value : undefined;
    onboarded = typeof stored[ONBOARDED_KEY] === 'string' ? stored[ONBOARDED_KEY] : undefined;
  } catch {
    primed = undefined; // no session storage here (an old browser): the page waits for the agent instead
  }
}

/** The status to draw before the agent answers, if one was primed. */
export const statusGlance = (): AgentStatus | undefined => primed;

/** Whether this agent's first run was seen done in this browser session (then the page need not ask first). */
export const onboardedGlance = (agentId: string): boolean => onboarded === agentId;

/** Notes that this agent's first run is done, for the next page opened in this browser session. */
export function rememberOnboarded(agentId: string): void {
  if (onboarded === agentId) return;
  onboarded = agentId;
  browser.storage.session
    .set({ [ONBOARDED_KEY]: agentId })
    .catch((error: unknown) => log.warn('onboarded_save_failed', errorFields(error)));
}

function isStatus(value: unknown): value is AgentStatus {
  const lock = (value as { lock?: unknown } | undefined)?.lock;
  return lock === 'setup_required' || lock === 'locked' || lock === 'unlocked';
}
