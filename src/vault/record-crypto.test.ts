import { describe, expect, it } from 'vitest';
import { importAesGcmKey, randomBytes } from './aes-gcm';
import { hexToBytes } from './bytes';
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

describe('the stored record format', () => {
  // Sealed by the vault as of commit c5bf6aa (format 1, key bytes 1..32). Sealing and
  // opening share their code, so only a fixed record catches a change to how the additional
  // data or the body is built, which would make every record already on disk unreadable.
  const stored = {
    id: 'ev-é😀',
    calendarId: 'cal-1',
    start: 1_700_000_000_000,
    end: 1_700_001_800_000,
    updated: 5,
    ciphertext: hexToBytes(
      'f451122b3dda94e3566ef8d0472128f163a3f9c72a21b4c204e20b93d54864660f58a5829b74ff1a30ae17067322987cda815e67257d62fda7ca297bf6a75e118074aa',
    ).buffer,
    iv: hexToBytes('f317a4e4c90292e7c29c55e0'),
    v: 1,
  };
  const rawKey = new Uint8Array(32).map((_, i) => i + 1);

  it('opens a format 1 record written by earlier code, and only under its own fields and store', async () => {
    const key = await importAesGcmKey(crypto, rawKey);
    expect(await openRecords(crypto, key, 'events', [stored])).toEqual([
      {
        ok: true,
        record: {
          title: 'Golden',
          secret: new Uint8Array([1, 2, 3]),
          id: 'ev-é😀',
          calendarId: 'cal-1',
          start: 1_700_000_000_000,
          end: 1_700_001_800_000,
          updated: 5,
        },
      },
    ]);
    expect(await openRecord(crypto, key, 'events', { ...stored, updated: 6 })).toEqual({
      ok: false,
      reason: 'tag_mismatch',
    });
    expect(await openRecord(crypto, key, 'messages', stored)).toEqual({ ok: false, reason: 'tag_mismatch' });
  });
});
