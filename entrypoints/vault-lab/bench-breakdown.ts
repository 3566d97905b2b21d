/**
 * Where the vault's time goes, for bench/vault.ts: the same 10k events through
 * `putMany`, split at the moment the last record is sealed (JSON + AES-GCM) into
 * sealing and the IndexedDB write; the IndexedDB write of the sealed records alone and
 * of the plain records, raw, with the vault's indexes; the week query split into the
 * IndexedDB read, the decryption and the decoding.
 */
import { MemorySessionKeyStore, openVault, VAULT_SCHEMA } from '@/src/vault';
import { done, FAST_KDF, HOUR, labEvent, observedCrypto, rawDb, request } from './lab-support';

const median = (xs: number[]): number => Math.round([...xs].sort((a, b) => a - b)[xs.length >> 1]! * 10) / 10;

export async function benchBreakdown(n = 10_000, rounds = 3) {
  let lastSealed = 0;
  let firstDecrypt = 0;
  let lastDecrypted = 0;
  const suffix = Math.random().toString(36).slice(2);
  const name = `lab-bench-breakdown-${suffix}`;
  const vault = await openVault({
    name,
    kdf: FAST_KDF,
    sessionKeys: new MemorySessionKeyStore(),
    idleTimeoutMs: Infinity,
    crypto: observedCrypto({
      encrypted: () => (lastSealed = performance.now()),
      decrypting: () => (firstDecrypt ||= performance.now()),
      decrypted: () => (lastDecrypted = performance.now()),
    }),
  });
  await vault.setUp('bench');
  // The same shape as bench-core's events.
  const events = Array.from({ length: n }, (_, i) => ({
    ...labEvent(i, 'Agenda: review the roadmap, staffing and the budget for next quarter.'),
    location: 'Room 4B',
    attendees: [`person${i % 17}@example.com`, `person${i % 23}@example.com`],
    status: 'confirmed',
  }));
  await vault.putMany('events', events);
  const seal: number[] = [];
  const write: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await vault.putMany('events', events);
    const t1 = performance.now();
    seal.push(lastSealed - t0);
    write.push(t1 - lastSealed);
  }

  // The week query (the same range as bench-core's).
  const weekStart = Date.UTC(2025, 0, 6) + 24 * 7 * HOUR * 10;
  const range = { lower: weekStart, upper: weekStart + 7 * 24 * HOUR, upperOpen: true };
  const read: number[] = [];
  const decrypt: number[] = [];
  const decode: number[] = [];
  const total: number[] = [];
  let weekEvents = 0;
  for (let r = 0; r < 5; r++) {
    firstDecrypt = 0;
    const t0 = performance.now();
    weekEvents = (await vault.query('events', { index: 'start', range })).length;
    const t1 = performance.now();
    read.push(firstDecrypt - t0);
    decrypt.push(lastDecrypted - firstDecrypt);
    decode.push(t1 - lastDecrypted);
    total.push(t1 - t0);
  }

  const vaultDb = await rawDb(name);
  const sealedRecords = await request(vaultDb.transaction('events').objectStore('events').getAll());
  vaultDb.close();
  const req = indexedDB.open(`lab-bench-raw-${suffix}`, 1);
  req.onupgradeneeded = () => {
    for (const storeName of ['plain', 'sealed']) {
      const os = req.result.createObjectStore(storeName, { keyPath: 'id' });
      // The same indexes as the vault's events store, so only the values differ.
      for (const [index, spec] of Object.entries(VAULT_SCHEMA.stores.events!.indexes)) {
        os.createIndex(index, spec.keyPath as string | string[]);
      }
    }
  };
  const raw = await request(req);
  const rawPut = async (storeName: string, records: readonly unknown[]): Promise<number> => {
    const t = performance.now();
    const tx = raw.transaction(storeName, 'readwrite');
    for (const rec of records) tx.objectStore(storeName).put(rec);
    await done(tx);
    return performance.now() - t;
  };
  const plain: number[] = [];
  const sealed: number[] = [];
  await rawPut('plain', events);
  await rawPut('sealed', sealedRecords);
  for (let r = 0; r < rounds; r++) {
    plain.push(await rawPut('plain', events));
    sealed.push(await rawPut('sealed', sealedRecords));
  }
  raw.close();
  indexedDB.deleteDatabase(`lab-bench-raw-${suffix}`);
  await vault.deleteAllData();
  vault.close();
  return {
    vault_seal_ms: median(seal),
    vault_idb_write_ms: median(write),
    raw_plain_put_ms: median(plain),
    raw_sealed_put_ms: median(sealed),
    week_events: weekEvents,
    week_total_ms: median(total),
    week_read_ms: median(read),
    week_decrypt_ms: median(decrypt),
    week_decode_ms: median(decode),
  };
}
