/** The vault contract suite and the runner's own self-test, in this page. */
import { registerVaultContractTests } from '@/src/vault/vault.contract';
import { sql } from './lab-support';
import { describe, expect, it, runRegistered, type CaseResult } from './vitest-shim';

export type { CaseResult };

/** [VLB1] The Node contract suite, unchanged, on Chromium's IndexedDB and WebCrypto. */
export async function runContract(): Promise<CaseResult[]> {
  registerVaultContractTests(() => ({ indexedDB, IDBKeyRange, sqlJs: sql }));
  return runRegistered();
}

/** [VLB2] Cases that must fail, so a green contract run means something. */
export async function runnerSelfTest(): Promise<CaseResult[]> {
  describe('self-test', () => {
    it('passes', () => expect([1, { a: new Uint8Array([2]) }]).toEqual([1, { a: new Uint8Array([2]) }]));
    it('fails an equality', () => expect({ a: 1 }).toEqual({ a: 2 }));
    it('fails a rejection matcher', () => expect(Promise.reject(new Error('this'))).rejects.toThrow('that'));
    it('fails when a promise resolves but should reject', () => expect(Promise.resolve(1)).rejects.toThrow());
    it('fails on timeout', () => new Promise(() => undefined), 50);
    it.skip('is skipped', () => undefined);
  });
  return runRegistered();
}
