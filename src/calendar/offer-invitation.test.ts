import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { offerInvitation, offerMailto, offerTimeText } from './offer-invitation';

const T = Date.UTC(2026, 11, 8, 9, 0); // Tue 8 Dec 2026, 09:00 UTC
const HOUR = 3_600_000;
const SLOTS = [
  { start: T, end: T + HOUR / 2 },
  { start: T + 24 * HOUR, end: T + 24 * HOUR + HOUR / 2 },
  { start: T + 48 * HOUR + 4 * HOUR, end: T + 48 * HOUR + 4.5 * HOUR },
];

describe('offered times as files and drafts', () => {
  it('[NOP3] the .ics parses back with ical.js: PUBLISH, one TENTATIVE transparent VEVENT per time, stable UIDs', () => {
    const text = offerInvitation({ offerId: 'o-1', title: 'Roof repair', slots: SLOTS, createdAt: T - HOUR });
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(
      events.map((e) => [e.uid, e.startDate.toJSDate().getTime(), e.endDate.toJSDate().getTime()]),
    ).toEqual(SLOTS.map((s, i) => [`o-1-${i + 1}@parley`, s.start, s.end]));
    for (const [i, v] of calendar.getAllSubcomponents('vevent').entries()) {
      expect(v.getFirstPropertyValue('status')).toBe('TENTATIVE');
      expect(v.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
      expect(v.getFirstPropertyValue('summary')).toBe(`Roof repair (proposed time ${i + 1} of 3)`);
    }
    // The same offer gives the same file: opening it again updates the same events.
    expect(offerInvitation({ offerId: 'o-1', title: 'Roof repair', slots: SLOTS, createdAt: T - HOUR })).toBe(
      text,
    );
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('[NOP4] the mailto draft decodes to the expected lines, in the locale and zone asked, with no "+" for spaces', () => {
    const { href } = offerMailto({
      to: 'ana+work@example.com',
      name: 'Ana',
      title: 'Roof & gutter',
      durationMin: 30,
      slots: SLOTS,
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
    });
    const url = new URL(href);
    expect(url.protocol).toBe('mailto:');
    expect(decodeURIComponent(url.pathname)).toBe('ana+work@example.com');
    expect(href).not.toMatch(/\?.*\+/); // a "+" would show as a plus sign, not a space
    const query = href.slice(href.indexOf('?') + 1);
    const parts = Object.fromEntries(
      query
        .split('&')
        .map((p) => [p.slice(0, p.indexOf('=')), decodeURIComponent(p.slice(p.indexOf('=') + 1))]),
    );
    expect(parts['subject']).toBe('Roof & gutter: which time suits you?');
    const lines = parts['body']!.split('\r\n');
    expect(lines).toEqual([
      'Hello Ana,',
      '',
      'Would one of these times suit you for "Roof & gutter" (30 minutes)?',
      '',
      `1. ${offerTimeText(SLOTS[0]!, 'de-DE', 'Europe/Berlin')}`,
      `2. ${offerTimeText(SLOTS[1]!, 'de-DE', 'Europe/Berlin')}`,
      `3. ${offerTimeText(SLOTS[2]!, 'de-DE', 'Europe/Berlin')}`,
      '',
      'Reply with the number of the time that suits you.',
    ]);
    // 09:00 UTC is 10:00 in Berlin in December, written the German way, the zone named.
    expect(lines[4]).toMatch(/^1\. Di\., 8\. Dez\.?, 10:00\s*[–-]\s*10:30( Uhr)? MEZ$/);
  });

  it('[NOP4] without an address the draft has no recipient; the time follows the zone asked', () => {
    const { href } = offerMailto({
      name: 'Bo',
      title: 'Tea',
      durationMin: 30,
      slots: SLOTS.slice(0, 1),
      locale: 'en-US',
      timeZone: 'America/New_York',
    });
    expect(href.startsWith('mailto:?subject=')).toBe(true);
    expect(offerTimeText(SLOTS[0]!, 'en-US', 'America/New_York')).toMatch(/4:00\s*[–-]\s*4:30\sAM EST/);
  });
});
