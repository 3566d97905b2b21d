import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../assets/public/_locales/en/messages.json';
import { decodeEventId } from './calendar-layer';
import { askedFor } from './launch';
import { useCatalog } from './i18n';
import { paletteIndex, searchPalette, type PaletteItem } from './palette-search';

// The palette's words come from the English catalog, as in an English browser (I18N1).
beforeAll(() => useCatalog(en));
afterAll(() => useCatalog(undefined));

const items: PaletteItem[] = [
  { id: 'find', group: 'action', label: 'Find a time with…', keywords: 'meeting schedule book' },
  { id: 'sync', group: 'action', label: 'Sync your calendars now', keywords: 'google refresh' },
  { id: 'lock', group: 'action', label: 'Lock Parley now', keywords: 'passphrase secure' },
  { id: 'contact:b', group: 'contact', label: 'Find a time with Ben', keywords: 'Ben' },
  { id: 'contact:d', group: 'contact', label: 'Find a time with Dana', keywords: 'Dana' },
  { id: 'meeting:1', group: 'meeting', label: 'Roadmap — with Cy', detail: 'booked' },
];

describe('palette search', () => {
  const index = paletteIndex(items);
  const ids = (q: string) => searchPalette(index, items, q).map((i) => i.id);

  it('[PAL2] finds actions, contacts and meetings by fuzzy words; the agent’s row is always last', () => {
    expect(ids('')).toEqual(items.map((i) => i.id)); // no words: everything, in order, no agent row
    expect(ids('dna')[0]).toBe('contact:d');
    expect(ids('synk')[0]).toBe('sync');
    expect(ids('roadmap')[0]).toBe('meeting:1');
    expect(ids('passphrase')[0]).toBe('lock');
    const free = searchPalette(index, items, 'could Cy and I squeeze in a quick sync?');
    expect(free.at(-1)).toEqual({
      id: 'ask',
      group: 'ask',
      label: 'Ask your agent: “could Cy and I squeeze in a quick sync?”',
    });
    expect(searchPalette(index, items, 'zzzzqqq')).toEqual([
      free.at(-1) && { ...free.at(-1)!, label: 'Ask your agent: “zzzzqqq”' },
    ]);
  });
});

describe('Google Calendar layer', () => {
  const parleyId = 'a'.repeat(26) + '0123456789abcdefghijklmnop'; // 52 base32hex characters (WRT1)

  it('[GCL3] reads the event id from Google’s data-eventid, whatever its base64 flavour', () => {
    const standard = Buffer.from(`${parleyId} ana@example.com`).toString('base64');
    expect(decodeEventId(standard)).toBe(parleyId);
    expect(decodeEventId(standard.replace(/=+$/, ''))).toBe(parleyId);
    const urlSafe = Buffer.from(`${parleyId} ana@m`).toString('base64url');
    expect(decodeEventId(urlSafe)).toBe(parleyId);
    expect(decodeEventId(Buffer.from(`${parleyId}_20261203T100000Z ana@m`).toString('base64'))).toBe(
      parleyId,
    );
    for (const junk of [null, '', 'not base64!', Buffer.from('<script> x').toString('base64')])
      expect(decodeEventId(junk)).toBeUndefined();
  });

  it('[GCL5] the side panel opened for "Find a time with…" starts with exactly those words, never more', () => {
    expect(askedFor('?ask=Find%20a%20time%20with%20')).toBe('Find a time with ');
    expect(askedFor('')).toBe('');
    expect(askedFor(`?ask=${'x'.repeat(5000)}`)).toHaveLength(1000);
  });
});
