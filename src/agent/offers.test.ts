import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { PASSPHRASE, startAgent, type TestAgent } from './test-support';

/**
 * Meetings with people who don't use Parley, through the registry as the side panel calls them: the real
 * runtime, vault (fake-indexeddb), scheduler and calendar service (no Google: bookings are kept locally).
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 7 December 2026, 07:00 in Paris (06:00 UTC).
const NOW = Date.UTC(2026, 11, 7, 6, 0);

let relay: Relay;
let relayUrl: string;
const agents: TestAgent[] = [];
beforeAll(async () => {
  relay = createRelay();
  ({ url: relayUrl } = await relay.listen(0));
});
afterAll(() => relay.close());
afterEach(() => agents.splice(0).forEach((a) => a.lifetime.abort()));

async function agent(): Promise<TestAgent> {
  const a = await startAgent({ now: () => NOW });
  agents.push(a);
  await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
  await a.rpc.call('settings.set', { relayUrl, displayName: 'Dee' });
  await a.rpc.call('preferences.set', {
    timeZone: 'Europe/Paris',
    dayStart: '09:00',
    dayEnd: '17:00',
    workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
    bufferMin: 0,
    minimumNoticeMin: 0,
    maxMeetingsPerDay: null,
    autoDisclose: false,
  });
  return a;
}

const parisHour = (ms: number) =>
  Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(
      ms,
    ),
  );
const parisDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(ms);

describe('people without Parley', () => {
  it('[NOP1] offers 3 free times inside meeting hours and the part of the day, one per day, never one already offered', async () => {
    const a = await agent();
    const offer = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Ana', email: 'ana@example.com' },
      title: 'Roof repair',
      durationMin: 30,
      withinDays: 3,
      partOfDay: 'morning',
    });
    expect(offer.slots).toHaveLength(3);
    expect(offer.status).toBe('pending');
    expect(offer.timeZone).toBe('Europe/Paris');
    for (const s of offer.slots) {
      expect(s.end - s.start).toBe(HOUR / 2);
      expect(parisHour(s.start)).toBeGreaterThanOrEqual(9);
      expect(parisHour(s.end - 1)).toBeLessThan(12);
      expect(s.start).toBeGreaterThanOrEqual(NOW);
      expect(s.end).toBeLessThanOrEqual(NOW + 3 * DAY);
    }
    expect(new Set(offer.slots.map((s) => parisDay(s.start))).size).toBe(3);
    expect(offer.slots.map((s) => s.start)).toEqual(
      [...offer.slots.map((s) => s.start)].sort((x, y) => x - y),
    );

    const second = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Bo' },
      durationMin: 30,
      withinDays: 3,
      partOfDay: 'morning',
    });
    for (const s of second.slots)
      expect(offer.slots.some((o) => o.start < s.end && s.start < o.end)).toBe(false);
    expect(second.title).toBe('Meeting');
  });

  it('[NOP1] no free time is a bad_request that says what to change; bad input names the field', async () => {
    const a = await agent();
    await expect(
      a.rpc.call('meetings.offerTimes', {
        with: { name: 'Ana' },
        durationMin: 30,
        withinDays: 1,
        partOfDay: 'evening',
      }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/choose more days or another part/),
    });
    await expect(
      a.rpc.call('meetings.offerTimes', { with: { name: 'Ana', email: 'not-an-address' }, durationMin: 30 }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      a.rpc.call('meetings.offerTimes', { with: { name: ' ' }, durationMin: 30 }),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('[NOP2] [NOP5] marking a chosen time books it in the calendar; a decline only records it; an answer is given once', async () => {
    const a = await agent();
    const offer = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Ana' },
      title: 'Roof',
      durationMin: 60,
      withinDays: 5,
    });
    const other = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Bo' },
      title: 'Tea',
      durationMin: 30,
      withinDays: 5,
    });
    expect((await a.rpc.call('meetings.offers', {})).map((o) => [o.with.name, o.status])).toEqual([
      ['Bo', 'pending'],
      ['Ana', 'pending'],
    ]);

    await expect(
      a.rpc.call('meetings.markAnswer', {
        id: offer.id,
        answer: { kind: 'chosen', slot: { start: NOW + DAY, end: NOW + DAY + HOUR } },
      }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/offer new times/) });

    const chosen = offer.slots[1]!;
    const booked = await a.rpc.call('meetings.markAnswer', {
      id: offer.id,
      answer: { kind: 'chosen', slot: chosen },
    });
    expect(booked).toMatchObject({ status: 'booked', chosen });
    const agenda = await a.rpc.call('calendar.agenda', { start: NOW, end: NOW + 7 * DAY });
    expect(agenda).toEqual([
      expect.objectContaining({
        start: chosen.start,
        end: chosen.end,
        title: 'Roof (with Ana)',
        byParley: true,
      }),
    ]);

    await a.rpc.call('meetings.markAnswer', { id: other.id, answer: { kind: 'declined' } });
    expect((await a.rpc.call('calendar.agenda', { start: NOW, end: NOW + 7 * DAY })).length).toBe(1);
    expect(
      Object.fromEntries((await a.rpc.call('meetings.offers', {})).map((o) => [o.with.name, o.status])),
    ).toEqual({
      Ana: 'booked',
      Bo: 'declined',
    });
    await expect(
      a.rpc.call('meetings.markAnswer', { id: offer.id, answer: { kind: 'declined' } }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/already booked/) });
    await expect(
      a.rpc.call('meetings.markAnswer', { id: crypto.randomUUID(), answer: { kind: 'declined' } }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    // Once booked, the time is busy: a new offer never proposes it.
    const next = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Cy' },
      durationMin: 60,
      withinDays: 5,
      count: 5,
    });
    for (const s of next.slots) expect(s.start < chosen.end && chosen.start < s.end).toBe(false);
  });

  it('[NOP3] [NOP4] the offer as an .ics file and as an e-mail draft in the locale asked', async () => {
    const a = await agent();
    const offer = await a.rpc.call('meetings.offerTimes', {
      with: { name: 'Ana', email: 'ana@example.com' },
      title: 'Roof repair',
      durationMin: 30,
      withinDays: 3,
    });
    const { filename, text } = await a.rpc.call('meetings.offerInvitation', { id: offer.id });
    expect(filename).toBe('Roof-repair-proposed-times.ics');
    const events = new ICAL.Component(ICAL.parse(text))
      .getAllSubcomponents('vevent')
      .map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.startDate.toJSDate().getTime())).toEqual(offer.slots.map((s) => s.start));

    const { href } = await a.rpc.call('meetings.offerMail', { id: offer.id, locale: 'fr-FR' });
    expect(href.startsWith('mailto:ana@example.com?subject=')).toBe(true);
    const body = decodeURIComponent(href.slice(href.indexOf('&body=') + 6)).split('\r\n');
    expect(body[0]).toBe('Hello Ana,');
    // Monday 7 December in French, Paris time.
    expect(body.filter((l) => /^\d\. /.test(l))).toHaveLength(3);
    expect(body[4]).toMatch(/^1\. lun\. 7 déc\./);
  });

  it('[CRL2] the contact rule is read for a contact only; anyone else is contact_unknown', async () => {
    const a = await agent();
    await expect(a.rpc.call('negotiations.contactRule', { contactId: 'A'.repeat(43) })).rejects.toMatchObject(
      { code: 'contact_unknown', message: 'Choose one of your contacts.' },
    );
    await expect(a.rpc.call('negotiations.contactRule', { contactId: 'nope' })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});
