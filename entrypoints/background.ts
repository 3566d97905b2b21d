import { createAgentRuntime } from '@/src/agent';
import { browserPlatform, sessionValue } from '@/src/platform';
import { openVault, type SessionKeysRecord } from '@/src/vault';

export default defineBackground(() => {
  createAgentRuntime({
    platform: browserPlatform(),
    openVault: () => openVault({ sessionKeys: sessionValue<SessionKeysRecord>('parley.vault.keys') }),
  });
});
