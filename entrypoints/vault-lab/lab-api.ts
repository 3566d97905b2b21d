/**
 * What the vault lab page offers to the e2e tests and bench/vault.ts (they call it
 * through `page.evaluate(() => globalThis.vaultLab.…)`). Everything runs in this
 * extension page: Chromium's IndexedDB and WebCrypto, in the extension's own origin
 * (the same on-disk IndexedDB directory as the background's vault).
 */
import { runVaultBench, type VaultBenchResult } from '@/src/vault/bench-core';
import { benchBreakdown } from './bench-breakdown';
import { runContract, runnerSelfTest, type CaseResult } from './contract';
import { sql } from './lab-support';
import {
  crashInspect,
  crashPrepare,
  crashProgress,
  crashStart,
  storeSecrets,
  tamperCheck,
  tamperPrepare,
  writeCanaries,
} from './scenarios';
import { runWycheproof } from './wycheproof';

export type { CaseResult, VaultBenchResult };

export const vaultLab = {
  runContract,
  runnerSelfTest,
  /** [VLB8] Wycheproof AES-GCM and PBKDF2 vectors through the vault's wrappers. */
  wycheproof: runWycheproof,
  storeSecrets,
  writeCanaries,
  tamperPrepare,
  tamperCheck,
  crashPrepare,
  crashStart,
  progress: crashProgress,
  crashInspect,
  benchBreakdown,
  async bench(
    options: { events?: number; rounds?: number; historyBytes?: number } = {},
  ): Promise<VaultBenchResult> {
    return runVaultBench({ indexedDB, IDBKeyRange, sqlJs: await sql(), ...options });
  },
};

export type VaultLabApi = typeof vaultLab;
