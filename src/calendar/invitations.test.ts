import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GoogleDirectory,
  startFakeGoogleCalendar,
  type FakeGoogleCalendar,
} from '../../tests/fakes/google-calendar';
import { openVault } from '../vault';
import { GoogleOAuth } from './oauth';
import { CalendarService, type CalendarChoice } from './service';
import { vaultCalendarCache } from './vault-cache';

/**
 * Invitations between two Google accounts (docs/protocol/scheduling.md ATT, ADP): two fakes on one
 * directory of accounts, each reached over real HTTP by the calendar service as the agent runs it.
 */
const ANA = 'ana@example.com';
const BEN = 'ben@example.com';
const CY = 'cy@example.com';
let directory: GoogleDirectory;
const fakes = {} as Record<'ana' | 'ben' | 'cy', FakeGoogleCalendar>;
beforeAll(async () => {
  directory = new GoogleDirectory();
  fakes.ana = await startFakeGoogleCalendar({ account: ANA, directory });
  fakes.ben = await startFakeGoogleCalendar({ account: BEN, directory });
  fakes.cy = await startFakeGoogleCalendar({ account: CY, directory });
});
afterAll(() => Promise.all(Object.values(fakes).map((f) => f.close())));

async function service(fake: FakeGoogleCalendar, account: string) {
  const vault = await openVault({
    name: `inv-${crypto.randomUUID()}`,
    kdf: { iterations: 1000, allowWeakIterationsForTests: true },
  });
  await vault.setUp('test passphrase');
  const choices: CalendarChoice[] = [{ id: account, summary: account, primary: true, selected: true }];
  const oauth = new GoogleOAuth({
    config: () => ({
      clientId: 'x',
      authUrl: `${fake.url}/o/oauth2/v2/auth`,
      tokenUrl: `${fake.url}/token`,
      revokeUrl: `${fake.url}/revoke`,
    }),
    launchWebAuthFlow: async () => {
      throw new Error('not used');
    },
    redirectUri: 'https://x.chromiumapp.org/',
    load: async () => ({ accessToken: 'test', expiresAt: Date.now() + 3_600_000, scope: '' }),
    save: async () => undefined,
    clear: async () => undefined,
  });
  return new CalendarService({
    oauth,
    cache: vaultCalendarCache(vault),
    apiBaseUrl: () => `${fake.url}/calendar/v3`,
    loadChoices: async () => choices,
    saveChoices: async () => undefined,
    onChange: () => undefined,
  });
}

const HOUR = 3_600_000;
let n = 0;
function meeting() {
  n++;
  const start = Math.ceil(Date.now() / HOUR) * HOUR + (24 + n) * HOUR;
  return { negotiationId: `neg-inv-${n}`, start, end: start + HOUR / 2, timeZone: 'Europe/Paris' };
}
const live = (fake: FakeGoogleCalendar, account: string, iCalUID: string) =>
  fake.store
    .list(account, { singleEvents: true, showDeleted: false })
    .items.filter((e) => e.iCalUID === iCalUID && e.status !== 'cancelled');
const inserts = (fake: FakeGoogleCalendar) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events'));

describe('invitations', () => {
  it('[ATT1][ATT2] the organizer’s event names the meeting, invites who shared an address, and asks Google to send the invitations', async () => {
    const ana = await service(fakes.ana, ANA);
    const m = meeting();
    const before = inserts(fakes.ana).length;
    const booked = await ana.bookMeeting({
      ...m,
      title: 'Roadmap',
      description: 'With Ben and Cy.\nArranged by Parley.',
      attendees: [{ email: BEN, displayName: 'Ben' }],
    });
    expect(booked.iCalUID).toBe(`${booked.eventId}@google.com`);
    const [event] = live(fakes.ana, ANA, booked.iCalUID!);
    expect(event).toMatchObject({
      summary: 'Roadmap',
      description: 'With Ben and Cy.\nArranged by Parley.',
      attendees: [{ email: BEN, displayName: 'Ben' }],
    });
    expect(
      inserts(fakes.ana)
        .slice(before)
        .map((r) => r.query.sendUpdates),
    ).toEqual(['all']);
    expect(fakes.ana.store.invitationsSent).toContainEqual({ to: BEN, iCalUID: booked.iCalUID });
    // Google put the invitation in Ben's calendar, waiting for his answer; Cy shared nothing: nothing there.
    const [copy] = live(fakes.ben, BEN, booked.iCalUID!);
    expect(copy?.attendees).toEqual([
      { email: BEN, displayName: 'Ben', self: true, responseStatus: 'needsAction' },
    ]);
    expect(copy?.organizer).toEqual({ email: ANA });
    expect(copy?.extendedProperties).toBeUndefined();
    expect(live(fakes.cy, CY, booked.iCalUID!)).toEqual([]);

    // Nobody to invite: no guests, and nobody to notify.
    const alone = meeting();
    const mark = inserts(fakes.ana).length;
    await ana.bookMeeting({ ...alone, title: 'Solo', description: 'Arranged by Parley.' });
    expect(
      inserts(fakes.ana)
        .slice(mark)
        .map((r) => r.query.sendUpdates),
    ).toEqual(['none']);
  });

  it('[ADP1] the invitee adopts the invitation found by its iCalUID: one event in each calendar, its answer accepted, and a retry changes nothing', async () => {
    const [ana, ben] = [await service(fakes.ana, ANA), await service(fakes.ben, BEN)];
    const m = meeting();
    const organizer = await ana.bookMeeting({
      ...m,
      title: 'Roadmap',
      attendees: [{ email: BEN, displayName: 'Ben' }],
    });
    const posts = inserts(fakes.ben).length;
    const adopted = await ben.bookMeeting({
      ...m,
      title: 'Roadmap (with Ana)',
      adoptICalUID: organizer.iCalUID!,
    });
    expect(adopted).toMatchObject({ adopted: true, iCalUID: organizer.iCalUID });
    expect(fakes.ben.requests.some((r) => r.method === 'GET' && r.query.iCalUID === organizer.iCalUID)).toBe(
      true,
    );
    expect(inserts(fakes.ben).length).toBe(posts);
    const [mine] = live(fakes.ben, BEN, organizer.iCalUID!);
    expect(mine?.attendees?.[0]?.responseStatus).toBe('accepted');
    // The answer reached the organizer's event.
    expect(live(fakes.ana, ANA, organizer.iCalUID!)[0]?.attendees?.[0]?.responseStatus).toBe('accepted');

    const patches = fakes.ben.requests.filter((r) => r.method === 'PATCH').length;
    expect(
      await ben.bookMeeting({ ...m, title: 'Roadmap (with Ana)', adoptICalUID: organizer.iCalUID! }),
    ).toEqual(adopted);
    expect(fakes.ben.requests.filter((r) => r.method === 'PATCH').length).toBe(patches);
    expect(inserts(fakes.ben).length).toBe(posts);
    expect(live(fakes.ana, ANA, organizer.iCalUID!)).toHaveLength(1);
    expect(live(fakes.ben, BEN, organizer.iCalUID!)).toHaveLength(1);
  });

  it('[ADP2] no invitation (the contact shared no address): the invitee books its own copy, once', async () => {
    const [ana, cy] = [await service(fakes.ana, ANA), await service(fakes.cy, CY)];
    const m = meeting();
    const organizer = await ana.bookMeeting({ ...m, title: 'Roadmap' });
    const first = await cy.bookMeeting({
      ...m,
      title: 'Roadmap (with Ana)',
      adoptICalUID: organizer.iCalUID!,
    });
    expect(first.adopted).toBeUndefined();
    const again = await cy.bookMeeting({
      ...m,
      title: 'Roadmap (with Ana)',
      adoptICalUID: organizer.iCalUID!,
    });
    expect(again.eventId).toBe(first.eventId);
    const own = fakes.cy.store
      .list(CY, { singleEvents: true, showDeleted: false })
      .items.filter((e) => e.extendedProperties?.private?.parleyNegotiation === m.negotiationId);
    expect(own).toHaveLength(1);
    expect(own[0]?.summary).toBe('Roadmap (with Ana)');
  });

  it('[ADP2] an event with that iCalUID at other times, or one the invitee organizes, is not adopted', async () => {
    const [ana, ben] = [await service(fakes.ana, ANA), await service(fakes.ben, BEN)];
    const m = meeting();
    const organizer = await ana.bookMeeting({ ...m, title: 'Roadmap', attendees: [{ email: BEN }] });
    const moved = { ...m, start: m.start + HOUR, end: m.end + HOUR };
    const booked = await ben.bookMeeting({
      ...moved,
      title: 'Roadmap (with Ana)',
      adoptICalUID: organizer.iCalUID!,
    });
    expect(booked.adopted).toBeUndefined();
    // Ben's own event: asking to adopt it (its iCalUID) books nothing more and adopts nothing.
    const own = await ben.bookMeeting({ ...meeting(), title: 'Mine' });
    const again = await ben.bookMeeting({ ...meeting(), title: 'Other', adoptICalUID: own.iCalUID! });
    expect(again.adopted).toBeUndefined();
  });

  it('[ADP3] Google (the fake) keeps invitations in step: events.list?iCalUID= finds them, the organizer’s move and cancellation reach the copy', async () => {
    const ana = await service(fakes.ana, ANA);
    const m = meeting();
    const organizer = await ana.bookMeeting({ ...m, title: 'Sync', attendees: [{ email: BEN }] });
    const listed = await fetch(
      `${fakes.ben.url}/calendar/v3/calendars/primary/events?iCalUID=${encodeURIComponent(organizer.iCalUID!)}`,
      { headers: { authorization: 'Bearer test' } },
    ).then((r) => r.json() as Promise<{ items: { iCalUID: string }[] }>);
    expect(listed.items.map((e) => e.iCalUID)).toEqual([organizer.iCalUID]);
    await ana.bookMeeting({ ...m, start: m.start + HOUR, end: m.end + HOUR, title: 'Sync' });
    expect(Date.parse(live(fakes.ben, BEN, organizer.iCalUID!)[0]!.start.dateTime)).toBe(m.start + HOUR);
    await ana.cancelBooking(m.negotiationId);
    expect(live(fakes.ben, BEN, organizer.iCalUID!)).toEqual([]);
  });
});
