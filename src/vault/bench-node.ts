/**
 * Runs the vault benchmark in Node against fake-indexeddb: `npx tsx src/vault/bench-node.ts`.
 * The numbers that count come from the same runVaultBench inside Chromium; here the
 * raw baseline is fake-indexeddb's JavaScript, so the ratio is only indicative.
 */
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { runVaultBench } from './bench-core';

const result = await runVaultBench({ indexedDB: new IDBFactory(), IDBKeyRange });
process.stdout.write(`${JSON.stringify({ suite: 'vault', env: 'node+fake-indexeddb', ...result })}\n`);
