import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, calendar, type calendar_v3 } from '@googleapis/calendar';
import { startFakeGoogleCalendar, OWNER_EMAIL, type FakeGoogleCalendar } from './index';

/** Google's own Node client, pointed at the fake: if it works here, the fake speaks Calendar v3. */
let fake: FakeGoogleCalendar;
let cal: calendar_v3.Calendar;

function clientWith(token: string): calendar_v3.Calendar {
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: token });
  return calendar({ version: 'v3', rootUrl: `${fake.url}/`, auth: oauth, retry: false } as never);
}

async function status(
  p: Promise<unknown>,
): Promise<{ status: number; reason?: string; headers?: Record<string, string> }> {
  try {
    await p;
    return { status: 200 };
  } catch (err) {
    const e = err as {
      status?: number;
      response?: {
        status: number;
        headers: Record<string, string> | Headers;
        data: { error: { errors: { reason: string }[] } };
      };
    };
    return {
      status: e.response?.status ?? e.status ?? -1,
      ...(e.response?.data?.error?.errors?.[0]?.reason !== undefined && {
        reason: e.response.data.error.errors[0].reason,
      }),
      ...(e.response?.headers && {
        headers:
          typeof (e.response.headers as Headers).get === 'function'
            ? headersToRecord(e.response.headers as Headers)
            : (e.response.headers as Record<string, string>),
      }),
    };
  }
}

function headersToRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

const at = (iso: string) => ({ dateTime: iso, timeZone: 'America/Chicago' });

beforeAll(async () => {
  fake = await startFakeGoogleCalendar({ now: () => Date.parse('2026-01-05T15:00:00Z') });
  cal = clientWith('test');
});
afterAll(() => fake.close());

describe('the fake, driven by @googleapis/calendar', () => {
  it('[FAKE1] lists the primary calendar in calendarList', async () => {
    const res = await cal.calendarList.list();
    expect(res.data.kind).toBe('calendar#calendarList');
    const primary = res.data.items?.find((c) => c.primary);
    expect(primary?.id).toBe(OWNER_EMAIL);
    expect(primary?.accessRole).toBe('owner');
  });

  it('[FAKE2] refuses a wrong bearer token with 401 authError', async () => {
    const r = await status(clientWith('nope').events.list({ calendarId: 'primary' }));
    expect(r).toMatchObject({ status: 401, reason: 'authError' });
  });

  it('[FAKE3] insert with a client id, get, patch, delete; 409 duplicate on a used id; 400 on a bad id', async () => {
    const id = 'abcdefghijklmnopqrstuv0123';
    const created = await cal.events.insert({
      calendarId: 'primary',
      requestBody: {
        id,
        summary: 'Coffee',
        start: at('2026-01-06T09:00:00-06:00'),
        end: at('2026-01-06T09:30:00-06:00'),
      },
    });
    expect(created.data.id).toBe(id);
    expect(created.data.etag).toMatch(/^".+"$/);
    expect(
      (
        await status(
          cal.events.insert({
            calendarId: 'primary',
            requestBody: { id, start: at('2026-01-06T09:00:00-06:00'), end: at('2026-01-06T10:00:00-06:00') },
          }),
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await status(
          cal.events.insert({
            calendarId: 'primary',
            requestBody: {
              id: 'UPPER-case',
              start: at('2026-01-06T09:00:00-06:00'),
              end: at('2026-01-06T10:00:00-06:00'),
            },
          }),
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await status(
          cal.events.insert({
            calendarId: 'primary',
            requestBody: {
              id: 'abcd',
              start: at('2026-01-06T09:00:00-06:00'),
              end: at('2026-01-06T10:00:00-06:00'),
            },
          }),
        )
      ).status,
    ).toBe(400);
    const patched = await cal.events.patch({
      calendarId: 'primary',
      eventId: id,
      requestBody: { summary: 'Tea' },
    });
    expect(patched.data.summary).toBe('Tea');
    expect(patched.data.etag).not.toBe(created.data.etag);
    const stale = await status(
      cal.events.patch(
        { calendarId: 'primary', eventId: id, requestBody: { summary: 'x' } },
        { headers: { 'If-Match': created.data.etag! } },
      ),
    );
    expect(stale).toMatchObject({ status: 412, reason: 'conditionNotMet' });
    expect((await cal.events.get({ calendarId: 'primary', eventId: id })).data.summary).toBe('Tea');
    await cal.events.delete({ calendarId: 'primary', eventId: id });
    expect((await cal.events.get({ calendarId: 'primary', eventId: id })).data.status).toBe('cancelled');
    expect(await status(cal.events.delete({ calendarId: 'primary', eventId: id }))).toMatchObject({
      status: 410,
      reason: 'deleted',
    });
    expect(await status(cal.events.get({ calendarId: 'primary', eventId: 'nosuchevent' }))).toMatchObject({
      status: 404,
      reason: 'notFound',
    });
  });

  it('[FAKE4] pages with pageToken, gives nextSyncToken only on the last page, then syncs changes incl. deletions', async () => {
    fake.store.addCalendar({ id: 'paging@example.com', timeZone: 'Europe/Paris' });
    for (let i = 0; i < 7; i++) {
      fake.store.seedEvent('paging@example.com', {
        summary: `e${i}`,
        start: { dateTime: `2026-02-0${i + 1}T10:00:00+01:00` },
        end: { dateTime: `2026-02-0${i + 1}T11:00:00+01:00` },
      });
    }
    const pages: calendar_v3.Schema$Events[] = [];
    let pageToken: string | undefined;
    do {
      const res = await cal.events.list({
        calendarId: 'paging@example.com',
        maxResults: 3,
        singleEvents: true,
        ...(pageToken && { pageToken }),
      });
      pages.push(res.data);
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages.map((p) => p.items?.length)).toEqual([3, 3, 1]);
    expect(pages.slice(0, -1).every((p) => p.nextSyncToken === undefined)).toBe(true);
    const token = pages.at(-1)!.nextSyncToken!;
    expect(token).toBeTruthy();
    const gone = pages[0]!.items![0]!.id!;
    await cal.events.delete({ calendarId: 'paging@example.com', eventId: gone });
    const changed = await cal.events.list({
      calendarId: 'paging@example.com',
      syncToken: token,
      singleEvents: true,
    });
    expect(changed.data.items).toEqual([
      { kind: 'calendar#event', etag: expect.any(String), id: gone, status: 'cancelled' },
    ]);
    fake.expireSyncTokens('paging@example.com');
    expect(
      await status(cal.events.list({ calendarId: 'paging@example.com', syncToken: token })),
    ).toMatchObject({ status: 410, reason: 'fullSyncRequired' });
    expect(
      await status(cal.events.list({ calendarId: 'paging@example.com', syncToken: 'garbage' })),
    ).toMatchObject({ status: 410 });
    expect(
      (await status(cal.events.list({ calendarId: 'paging@example.com', maxResults: 5000 }))).status,
    ).toBe(200);
  });

  it('[FAKE5] expands a weekly series with BYDAY/COUNT; cancelled and edited instances behave like Google', async () => {
    fake.store.addCalendar({ id: 'series@example.com', timeZone: 'America/Chicago' });
    const master = await cal.events.insert({
      calendarId: 'series@example.com',
      requestBody: {
        summary: 'Standup',
        start: at('2026-03-02T09:00:00-06:00'),
        end: at('2026-03-02T09:15:00-06:00'),
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6'],
      },
    });
    const list = async (extra: calendar_v3.Params$Resource$Events$List = {}) =>
      (await cal.events.list({ calendarId: 'series@example.com', singleEvents: true, ...extra })).data
        .items ?? [];
    const instances = await list();
    expect(instances).toHaveLength(6);
    // DST starts in Chicago on 2026-03-08: the wall-clock time stays 09:00, the offset changes.
    expect(instances.map((i) => i.start?.dateTime)).toEqual([
      '2026-03-02T09:00:00-06:00',
      '2026-03-04T09:00:00-06:00',
      '2026-03-09T09:00:00-05:00',
      '2026-03-11T09:00:00-05:00',
      '2026-03-16T09:00:00-05:00',
      '2026-03-18T09:00:00-05:00',
    ]);
    expect(instances[0]!.id).toBe(`${master.data.id}_20260302T150000Z`);
    expect(instances.every((i) => i.recurringEventId === master.data.id)).toBe(true);
    await cal.events.delete({ calendarId: 'series@example.com', eventId: instances[1]!.id! });
    await cal.events.patch({
      calendarId: 'series@example.com',
      eventId: instances[2]!.id!,
      requestBody: { summary: 'Moved standup' },
    });
    const after = await list();
    expect(after).toHaveLength(5);
    expect(after.find((i) => i.id === instances[2]!.id)?.summary).toBe('Moved standup');
    const withDeleted = await list({ showDeleted: true });
    expect(withDeleted.find((i) => i.id === instances[1]!.id)?.status).toBe('cancelled');
    // Not expanded: the master plus its exceptions, the cancelled one included (as Google does).
    const raw = (await cal.events.list({ calendarId: 'series@example.com' })).data.items ?? [];
    expect(raw.map((e) => e.id).sort()).toEqual([master.data.id, instances[1]!.id, instances[2]!.id].sort());
    const windowed = await list({ timeMin: '2026-03-10T00:00:00Z', timeMax: '2026-03-17T00:00:00Z' });
    expect(windowed.map((i) => i.start?.dateTime)).toEqual([
      '2026-03-11T09:00:00-05:00',
      '2026-03-16T09:00:00-05:00',
    ]);
  });

  it('[FAKE6] freebusy.query: busy merged, unknown calendars get errors, empty range is 400 timeRangeEmpty', async () => {
    fake.store.addCalendar({ id: 'fb@example.com', timeZone: 'UTC' });
    fake.store.seedEvent('fb@example.com', {
      start: { dateTime: '2026-04-01T10:00:00Z' },
      end: { dateTime: '2026-04-01T11:00:00Z' },
    });
    fake.store.seedEvent('fb@example.com', {
      start: { dateTime: '2026-04-01T10:30:00Z' },
      end: { dateTime: '2026-04-01T12:00:00Z' },
    });
    fake.store.seedEvent('fb@example.com', {
      start: { dateTime: '2026-04-01T13:00:00Z' },
      end: { dateTime: '2026-04-01T14:00:00Z' },
      transparency: 'transparent',
    });
    const res = await cal.freebusy.query({
      requestBody: {
        timeMin: '2026-04-01T00:00:00Z',
        timeMax: '2026-04-02T00:00:00Z',
        items: [{ id: 'fb@example.com' }, { id: 'nobody@example.com' }],
      },
    });
    expect(res.data.calendars?.['fb@example.com']).toEqual({
      busy: [{ start: '2026-04-01T10:00:00Z', end: '2026-04-01T12:00:00Z' }],
    });
    expect(res.data.calendars?.['nobody@example.com']?.errors?.[0]?.reason).toBe('notFound');
    const empty = await status(
      cal.freebusy.query({
        requestBody: { timeMin: '2026-04-02T00:00:00Z', timeMax: '2026-04-01T00:00:00Z', items: [] },
      }),
    );
    expect(empty).toMatchObject({ status: 400, reason: 'timeRangeEmpty' });
    const tooMany = await status(
      cal.freebusy.query({
        requestBody: {
          timeMin: '2026-04-01T00:00:00Z',
          timeMax: '2026-04-02T00:00:00Z',
          calendarExpansionMax: 51,
          items: [],
        },
      }),
    );
    expect(tooMany.status).toBe(400);
  });

  it('[FAKE7] injected failures: 429 with Retry-After, 403 rateLimitExceeded, 500, 410, then normal service', async () => {
    fake.fail({ status: 429, retryAfter: 7, path: 'events' });
    const r429 = await status(cal.events.list({ calendarId: 'primary' }));
    expect(r429).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
    expect(r429.headers?.['retry-after']).toBe('7');
    fake.fail({ status: 403, reason: 'userRateLimitExceeded' });
    expect(await status(cal.events.list({ calendarId: 'primary' }))).toMatchObject({
      status: 403,
      reason: 'userRateLimitExceeded',
    });
    fake.fail({ status: 500, count: 2 });
    expect((await status(cal.events.list({ calendarId: 'primary' }))).status).toBe(500);
    expect((await status(cal.events.list({ calendarId: 'primary' }))).status).toBe(500);
    fake.fail({ status: 410 });
    expect(await status(cal.events.list({ calendarId: 'primary' }))).toMatchObject({
      status: 410,
      reason: 'fullSyncRequired',
    });
    expect((await status(cal.events.list({ calendarId: 'primary' }))).status).toBe(200);
  });

  it('[FAKE8] creates a Meet link with conferenceDataVersion=1', async () => {
    const res = await cal.events.insert({
      calendarId: 'primary',
      conferenceDataVersion: 1,
      requestBody: {
        start: at('2026-01-07T09:00:00-06:00'),
        end: at('2026-01-07T09:30:00-06:00'),
        conferenceData: {
          createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    });
    expect(res.data.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(res.data.conferenceData?.createRequest?.status?.statusCode).toBe('success');
  });

  it('[FAKE9] OAuth: /o/oauth2/auth redirects with a code; /token exchanges it and refreshes; the tokens work', async () => {
    const redirect = 'https://abcdefgh.chromiumapp.org/';
    const authRes = await fetch(
      `${fake.url}/o/oauth2/auth?client_id=cid&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=s&state=xyz`,
      { redirect: 'manual' },
    );
    expect(authRes.status).toBe(302);
    const back = new URL(authRes.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('xyz');
    const form = (o: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(o).toString(),
    });
    const tok = (await (
      await fetch(
        `${fake.url}/token`,
        form({
          grant_type: 'authorization_code',
          code: back.searchParams.get('code')!,
          redirect_uri: redirect,
          client_id: 'cid',
        }),
      )
    ).json()) as Record<string, string>;
    expect(tok).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    expect((await clientWith(tok.access_token!).calendarList.list()).status).toBe(200);
    const reused = await fetch(
      `${fake.url}/token`,
      form({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        redirect_uri: redirect,
      }),
    );
    expect(reused.status).toBe(400);
    const refreshed = (await (
      await fetch(
        `${fake.url}/token`,
        form({ grant_type: 'refresh_token', refresh_token: tok.refresh_token! }),
      )
    ).json()) as Record<string, string>;
    expect((await clientWith(refreshed.access_token!).calendarList.list()).status).toBe(200);
  });
});
