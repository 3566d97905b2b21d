import { createAgentRuntime } from '@/src/agent';
import { browserPlatform } from '@/src/platform';
import { openIdbStore } from '@/src/store';

export default defineBackground(() => {
  const runtime = createAgentRuntime({ platform: browserPlatform(), openStore: () => openIdbStore() });
  // Tests (and curious developers) wait on this flag instead of racing the worker's start-up.
  void runtime.ready.then(() => {
    (globalThis as { __parleyReady?: boolean }).__parleyReady = true;
  });
});
