import { createAgentRuntime, type AgentRuntime } from '@/src/agent';
import { eventIdForNegotiation } from '@/src/calendar';
import { createLogger, errorFields } from '@/src/log';
import { browserPlatform, browserScreen, sessionValue } from '@/src/platform';
import { STATUS_GLANCE_KEY, createSurfaces, type AttentionMemory } from '@/src/surfaces';
import type { AgentStatus } from '@/src/rpc';
import { openVault, type SessionKeysRecord } from '@/src/vault';

const log = createLogger('background');

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
