import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGoogleCalendar } from '../../tests/fakes/google-calendar/index';
import { syncCalendar } from './sync';
import { freshCalendar, rig, startFake, T0 } from '../../tests/fakes/google-calendar/rig';
import {
  createEvent,
  decideConflict,
  deleteEvent,
  eventIdForNegotiation,
  pushPendingWrites,
  updateEvent,
  type NewEventInput,
} from './writes';

let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(() => fake.close());

const meeting = (
  calendarId: string,
  negotiationId: string,
  extra: Partial<NewEventInput> = {},
): NewEventInput => ({
  calendarId,
  negotiationId,
  summary: 'Planning',
  start: { dateTime: '2026-01-08T10:00:00+01:00', timeZone: 'Europe/Paris' },
  end: { dateTime: '2026-01-08T10:30:00+01:00', timeZone: 'Europe/Paris' },
  ...extra,
});
const live = (calendarId: string) =>
  fake.store.list(calendarId, { singleEvents: true, showDeleted: false }).items;

describe('writes', () => {
  it('[WRT1] the event id is base32hex, 52 chars, stable per negotiation and distinct across negotiations', async () => {
    const a = await eventIdForNegotiation('neg-1');
    expect(a).toMatch(/^[a-v0-9]{52}$/);
    expect(await eventIdForNegotiation('neg-1')).toBe(a);
    expect(await eventIdForNegotiation('neg-2')).not.toBe(a);
  });

  it('[WRT2][WRT3] a create whose answer is lost is retried without a duplicate', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    fake.drop({ method: 'POST', path: 'events' });
    const created = await createEvent(r.deps, meeting(calendarId, 'neg-drop'));
    expect(created.id).toBe(await eventIdForNegotiation('neg-drop'));
    expect(created.etag).toBeTruthy();
    expect(created.origin).toBe('agent');
    expect(live(calendarId)).toHaveLength(1);
    const inserts = fake.requests.filter(
      (q) => q.method === 'POST' && q.path.includes(encodeURIComponent(calendarId)),
    );
    expect(inserts.length).toBe(2); // the dropped one and the retry that met 409
    // Asking again (e.g. after a restart) is also harmless.
    await createEvent(r.deps, meeting(calendarId, 'neg-drop'));
    expect(live(calendarId)).toHaveLength(1);
    expect(await r.cache.listLocalWrites()).toEqual([]);
  });

  it('[WRT2] a create that cannot reach Google stays as a pending local write and is pushed later', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    fake.fail({ status: 503, count: 4, method: 'POST' });
    await expect(createEvent(r.deps, meeting(calendarId, 'neg-offline'))).rejects.toMatchObject({
      code: 'server_error',
    });
    expect(await r.cache.listLocalWrites()).toMatchObject([
      { op: 'create', state: 'pending', lastErrorCode: 'server_error' },
    ]);
    expect(await pushPendingWrites(r.deps)).toEqual({ applied: 1, failed: 0, conflicts: 0 });
    expect(live(calendarId)).toHaveLength(1);
  });

  it('[WRT3] an id taken by an event that is not ours is reported, never adopted', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    fake.store.seedEvent(calendarId, {
      id: await eventIdForNegotiation('neg-taken'),
      start: { date: '2026-01-09' },
      end: { date: '2026-01-10' },
    });
    await expect(createEvent(r.deps, meeting(calendarId, 'neg-taken'))).rejects.toMatchObject({
      code: 'duplicate',
    });
  });

  it('[WRT4][WRT5] attendees get invitations (sendUpdates=all); a Meet link is requested with conferenceDataVersion=1', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(
      r.deps,
      meeting(calendarId, 'neg-meet', { attendees: [{ email: 'dana@example.com' }], meet: true }),
    );
    expect(e.event.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\//);
    const insert = fake.requests.filter((q) => q.method === 'POST').at(-1)!;
    expect(insert.query).toMatchObject({ sendUpdates: 'all', conferenceDataVersion: '1' });
    await createEvent(r.deps, meeting(calendarId, 'neg-solo'));
    expect(fake.requests.filter((q) => q.method === 'POST').at(-1)!.query).toEqual({ sendUpdates: 'none' });
  });

  it('[TIM1] rejects non-IANA zones, mixed date kinds and empty ranges before touching Google', async () => {
    const r = rig(fake);
    const calls = r.client.calls;
    await expect(
      createEvent(
        r.deps,
        meeting('primary', 'n', { start: { dateTime: '2026-01-08T10:00:00+01:00', timeZone: 'CET+1' } }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      createEvent(r.deps, meeting('primary', 'n', { start: { date: '2026-01-08' } })),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      createEvent(
        r.deps,
        meeting('primary', 'n', { end: { dateTime: '2026-01-08T09:00:00+01:00', timeZone: 'Europe/Paris' } }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(r.client.calls).toBe(calls);
    const allDay = await createEvent(
      r.deps,
      meeting(freshCalendar(fake, 'Asia/Tokyo'), 'n-allday', {
        start: { date: '2026-01-08' },
        end: { date: '2026-01-09' },
      }),
    );
    expect(allDay).toMatchObject({ allDay: true, start: { date: '2026-01-08' } });
  });

  it('[WRT6] update and delete by id with If-Match; deleting what is already gone succeeds', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(r.deps, meeting(calendarId, 'neg-upd'));
    const out = await updateEvent(r.deps, {
      calendarId,
      eventId: e.id,
      changes: { summary: 'Planning (moved)' },
      origin: 'agent',
    });
    expect(out.status).toBe('applied');
    expect(fake.store.get(calendarId, e.id).summary).toBe('Planning (moved)');
    expect((await r.cache.getEvent(calendarId, e.id))?.etag).toBe(fake.store.get(calendarId, e.id).etag);
    expect(await deleteEvent(r.deps, { calendarId, eventId: e.id, origin: 'agent' })).toEqual({
      status: 'applied',
    });
    expect(fake.store.get(calendarId, e.id).status).toBe('cancelled');
    expect(await deleteEvent(r.deps, { calendarId, eventId: e.id, origin: 'agent' })).toEqual({
      status: 'applied',
    });
  });

  it('[CON2] the agent edit loses to the person’s edit made on Google meanwhile', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(r.deps, meeting(calendarId, 'neg-c2'));
    fake.store.patch(calendarId, e.id, { summary: 'Renamed by the person' });
    const out = await updateEvent(r.deps, {
      calendarId,
      eventId: e.id,
      changes: { summary: 'Agent rename' },
      origin: 'agent',
    });
    expect(out).toEqual({ status: 'superseded', rule: 'CON2' });
    expect(fake.store.get(calendarId, e.id).summary).toBe('Renamed by the person');
    expect((await r.cache.getEvent(calendarId, e.id))?.event.summary).toBe('Renamed by the person');
  });

  it('[CON4] edits to different fields merge', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(r.deps, meeting(calendarId, 'neg-c4'));
    fake.store.patch(calendarId, e.id, { location: 'Room 4' });
    const out = await updateEvent(r.deps, {
      calendarId,
      eventId: e.id,
      changes: { summary: 'New title' },
      origin: 'user',
    });
    expect(out.status).toBe('applied');
    expect(fake.store.get(calendarId, e.id)).toMatchObject({ summary: 'New title', location: 'Room 4' });
  });

  it('[CON5][CON1] an unresolvable conflict is listed; the person’s decision is applied and remembered', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(r.deps, meeting(calendarId, 'neg-c5'));
    await syncCalendar(r.deps, calendarId);
    fake.store.patch(calendarId, e.id, { summary: 'Theirs' }); // "updated" = T0 on the fake clock: same instant as ours
    const out = await updateEvent(r.deps, {
      calendarId,
      eventId: e.id,
      changes: { summary: 'Mine' },
      origin: 'user',
    });
    expect(out.status).toBe('conflict');
    const [conflict] = await r.cache.listConflicts();
    expect(conflict).toMatchObject({ calendarId, eventId: e.id, remote: { summary: 'Theirs' } });
    const decided = await decideConflict(r.deps, conflict!.key, 'local');
    expect(decided.status).toBe('applied');
    expect(fake.store.get(calendarId, e.id).summary).toBe('Mine');
    expect(await r.cache.listConflicts()).toEqual([]);
    expect(await r.cache.getDecision(conflict!.key)).toMatchObject({ choice: 'local' });
    expect(await r.cache.listLocalWrites()).toEqual([]);
  });

  it('[CON3] same field, clearly newer change wins', async () => {
    const calendarId = freshCalendar(fake);
    const r = rig(fake);
    const e = await createEvent(r.deps, meeting(calendarId, 'neg-c3'));
    fake.store.patch(calendarId, e.id, { summary: 'Theirs' });
    r.clock.advance(60_000); // our edit is a minute after theirs
    expect(
      await updateEvent(r.deps, { calendarId, eventId: e.id, changes: { summary: 'Mine' }, origin: 'user' }),
    ).toMatchObject({ status: 'applied' });
    expect(fake.store.get(calendarId, e.id).summary).toBe('Mine');
    expect(T0).toBeGreaterThan(0);
  });
});
