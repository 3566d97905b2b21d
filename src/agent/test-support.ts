/** Helpers for tests that run whole agents in Node (not exported from index.ts). */
import 'fake-indexeddb/auto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';
import { memoryPlatform, type MemoryPlatform } from '../platform';
import { RPC_EVENT, createRpcClient, type RpcClient, type RpcTopic } from '../rpc';
import { MemorySessionKeyStore, openVault, type Vault } from '../vault';
import { createAgentRuntime, type AgentRuntime } from './runtime';

export const PASSPHRASE = 'correct horse battery';

export interface TestAgent {
  readonly platform: MemoryPlatform;
  readonly runtime: AgentRuntime;
  /** The RPC client a popup would use, over the platform's messaging. */
  readonly rpc: RpcClient;
  readonly vault: () => Vault;
  readonly lifetime: AbortController;
  readonly palettes: number[];
  /** A second worker on the same profile: same database, same session keys, a new runtime. */
  restart(): Promise<TestAgent>;
  topics(): RpcTopic[];
}

/**
 * An agent as the background would run it: the real runtime, the real vault on fake-indexeddb (a low
 * PBKDF2 count keeps it fast; the vault's own tests cover the KDF), the in-memory platform.
 */
export async function startAgent(
  options: {
    name?: string;
    now?: () => number;
    sessionKeys?: MemorySessionKeyStore;
  } = {},
): Promise<TestAgent> {
  const name = options.name ?? `agent-${crypto.randomUUID()}`;
  const sessionKeys = options.sessionKeys ?? new MemorySessionKeyStore();
  // sql.js (the searchable history) loads its wasm from where Node keeps it.
  const dist = path.dirname(createRequire(import.meta.url).resolve('sql.js'));
  const platform = memoryPlatform({ assetUrl: (file) => path.join(dist, file) });
  const lifetime = new AbortController();
  const palettes: number[] = [];
  let vault: Vault | undefined;
  const runtime = createAgentRuntime({
    platform,
    openVault: async () =>
      (vault = await openVault({
        name,
        sessionKeys,
        idleTimeoutMs: Infinity,
        kdf: { iterations: 1000, allowWeakIterationsForTests: true },
      })),
    ...(options.now && { now: options.now }),
    userAgent: 'vitest',
    signal: lifetime.signal,
    onPaletteCommand: () => palettes.push(palettes.length + 1),
  });
  await runtime.ready;
  const rpc = createRpcClient((message) => platform.send(message), { timeoutMs: 30_000 });
  return {
    platform,
    runtime,
    rpc,
    vault: () => vault!,
    lifetime,
    palettes,
    async restart() {
      // The old worker is gone: its listeners with it, its vault connection closed (keys stay in session storage).
      lifetime.abort();
      vault?.close();
      return startAgent({ ...options, name, sessionKeys });
    },
    topics: () =>
      platform.broadcasts
        .filter((b): b is { kind: string; topic: RpcTopic } => (b as { kind?: unknown }).kind === RPC_EVENT)
        .map((b) => b.topic),
  };
}

/**
 * `expect.poll` with room for a slow, busy machine: the default (1 s) is a guess about speed; what these
 * tests wait for (a relay round trip, a pairing, a delivery) only has to happen, not to be quick.
 */
export const eventually = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: 15_000, interval: 50, ...options });

/** Waits until the agent's relay link is logged in. */
export async function connected(agent: TestAgent): Promise<void> {
  await eventually(async () => (await agent.rpc.call('status.get', {})).agent?.relay.connected).toBe(true);
}
