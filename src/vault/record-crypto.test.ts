import { describe, expect, it } from 'vitest';
import { importAesGcmKey, randomBytes } from './aes-gcm';
import { openRecord, openRecords, sealRecord } from './record-crypto';

const crypto = globalThis.crypto;
const clear = new Set(['id', 'start', 'calendarId']);

describe('openRecords (a query opening many records at once)', () => {
  it('gives, record by record, exactly what openRecord gives', async () => {
    const key = await importAesGcmKey(crypto, randomBytes(crypto, 32));
    const records = Array.from({ length: 20 }, (_, i) => ({
      id: `ev-${i}-é😀`,
      start: i,
      calendarId: i % 2 ? 'a' : 'b',
      title: `Title ${i}`,
      secret: new Uint8Array([i, 1, 2]),
    }));
    const sealed: unknown[] = await Promise.all(
      records.map((r) => sealRecord(crypto, key, 'events', 'id', clear, r)),
    );
    const first = sealed[0] as Record<string, unknown>;
    // Tampered clear field, wrong store shape, not an envelope, unknown format.
    sealed.push({ ...first, start: 99 }, { ...first, extra: 'x' }, null, { ...first, v: 2 });
    const batch = await openRecords(crypto, key, 'events', sealed);
    const single = await Promise.all(sealed.map((s) => openRecord(crypto, key, 'events', s)));
    expect(batch).toEqual(single);
    expect(batch.slice(0, 20)).toEqual(records.map((record) => ({ ok: true, record })));
    expect(batch.slice(20).map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'tag_mismatch',
      'tag_mismatch',
      'malformed',
      'unknown_format',
    ]);
  });
});
