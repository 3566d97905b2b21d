import { createAgentRuntime, type AgentRuntime } from '@/src/agent';
import { eventIdForNegotiation } from '@/src/calendar';
import { createLogger, errorFields } from '@/src/log';
import { browserPlatform, browserScreen, sessionValue } from '@/src/platform';
import { STATUS_GLANCE_KEY, createSurfaces, type AttentionMemory } from '@/src/surfaces';
import type { AgentStatus } from '@/src/rpc';
import { openVault, type SessionKeysRecord } from '@/src/vault';

const log = createLogger('background');

/**
 * Lab builds only (`PARLEY_LAB=1`, never published): the agent's clock runs `parley.lab.clockOffsetMs`
 * (storage.local) ahead of the wall clock, so a browser test can let hours pass (tests/e2e/seed.test.ts:
 * follow-ups, a browser opened a day later). Published builds use the wall clock.
 */
const LAB_CLOCK_KEY = 'parley.lab.clockOffsetMs';
function labClock(): () => number {
  let offset = 0;
  const read = (value: unknown) => (offset = typeof value === 'number' && Number.isFinite(value) ? value : 0);
  void browser.storage.local.get(LAB_CLOCK_KEY).then((got) => read(got[LAB_CLOCK_KEY]));
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && LAB_CLOCK_KEY in changes) read(changes[LAB_CLOCK_KEY]!.newValue);
  });
  return () => Date.now() + offset;
}

export default defineBackground(() => {
  const platform = browserPlatform();
  // The surfaces reach the agent through its action registry, like every other surface.
  const agent: { runtime?: AgentRuntime } = {};
  const surfaces = createSurfaces({
    screen: browserScreen(),
    extensionId: platform.extensionId,
    negotiations: () => agent.runtime!.actions.call('negotiations.list', {}),
    decide: (input) => agent.runtime!.actions.call('negotiations.decide', input),
    eventIdOf: eventIdForNegotiation,
    memory: sessionValue<AttentionMemory>('parley.attention'),
    status: () => agent.runtime!.actions.call('status.get', {}),
    glance: sessionValue<AgentStatus>(STATUS_GLANCE_KEY),
    onMessage: (handler, signal) => platform.onMessage(handler, signal),
  });
  agent.runtime = createAgentRuntime({
    platform,
    ...(import.meta.env.PARLEY_LAB === '1' && { now: labClock() }),
    openVault: () => openVault({ sessionKeys: sessionValue<SessionKeysRecord>('parley.vault.keys') }),
    userAgent: navigator.userAgent,
    onPaletteCommand: () =>
      void surfaces
        .openPalette()
        .catch((error: unknown) => log.warn('open_palette_failed', errorFields(error))),
    onChange: (topic) => surfaces.changed(topic),
  });
  // The badge and notifications start from what the agent knows once it is up (or locked).
  void agent.runtime.ready.then(
    () => surfaces.changed('status'),
    () => undefined, // the runtime logs a vault that cannot open (vault_open_failed)
  );
});
