import { browser } from 'wxt/browser';
import { STATUS_GLANCE_KEY, type AgentStatus } from '../rpc';

/**
 * The agent's last status, kept by the background in `storage.session` (memory only, Parley's own pages
 * only) so the popup can draw its real content at once instead of waiting for a sleeping worker to start
 * (docs/protocol/surfaces.md UIS1). The live answer replaces it as soon as the agent gives it.
 */

let primed: AgentStatus | undefined;

/** Reads the glance once, before the page renders (a few milliseconds: the browser answers, not the worker). */
export async function primeStatusGlance(): Promise<void> {
  try {
    const value = (await browser.storage.session.get(STATUS_GLANCE_KEY))[STATUS_GLANCE_KEY];
    primed = isStatus(value) ? value : undefined;
  } catch {
    primed = undefined; // no session storage here (an old browser): the page waits for the agent instead
  }
}

/** The status to draw before the agent answers, if one was primed. */
export const statusGlance = (): AgentStatus | undefined => primed;

function isStatus(value: unknown): value is AgentStatus {
  const lock = (value as { lock?: unknown } | undefined)?.lock;
  return lock === 'setup_required' || lock === 'locked' || lock === 'unlocked';
}
