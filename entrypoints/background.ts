import { createAgentRuntime } from '@/src/agent';
import { createLogger, errorFields } from '@/src/log';
import { browserPlatform, openPopup, sessionValue } from '@/src/platform';
import { openVault, type SessionKeysRecord } from '@/src/vault';

const log = createLogger('background');

export default defineBackground(() => {
  createAgentRuntime({
    platform: browserPlatform(),
    openVault: () => openVault({ sessionKeys: sessionValue<SessionKeysRecord>('parley.vault.keys') }),
    userAgent: navigator.userAgent,
    // Until the palette exists, its shortcut opens the popup (where the agent's status and approvals are).
    onPaletteCommand: () =>
      void openPopup().catch((error: unknown) => log.warn('open_popup_failed', errorFields(error))),
  });
});
