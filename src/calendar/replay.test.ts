import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryCalendarCache } from './cache';
import { toError } from './client';
import { calendarListSchema, eventsPageSchema, googleErrorBodySchema } from './schemas';
import { diffPage, toCached } from './sync';

const VECTORS = join(__dirname, '../../../shared/vectors/gcal');
const json = (p: string): unknown => JSON.parse(readFileSync(join(VECTORS, p), 'utf8'));
const compass = readdirSync(join(VECTORS, 'compass-sync-fixtures')).map((f) => ({
  f,
  page: json(`compass-sync-fixtures/${f}`),
}));

describe('captured Google payloads', () => {
  it('[VAL1] every captured events.list page and the calendar list pass the validators', () => {
    expect(compass.length).toBeGreaterThan(10);
    for (const { f, page } of compass) expect(eventsPageSchema.safeParse(page).success, f).toBe(true);
    expect(calendarListSchema.safeParse(json('gcalcli_cal_list.json')).success).toBe(true);
  });

  it('[VAL2] every documented error body maps to the typed error the sync acts on', () => {
    const doc = json('calendar-api-error-bodies.json') as {
      errors: { http_status: number; body: unknown }[];
    };
    const codes = doc.errors.map((e) => {
      const body = googleErrorBodySchema.parse(e.body);
      return `${e.http_status}:${toError(e.http_status, body.error.errors?.[0]?.reason).code}`;
    });
    expect(codes).toEqual([
      '400:bad_request',
      '401:bad_request', // the client turns 401 into refresh / reconnect_required before this mapping
      '403:rate_limited',
      '403:rate_limited',
      '403:quota_exhausted',
      '403:forbidden',
      '404:not_found',
      '409:duplicate',
      '409:duplicate',
      '410:sync_token_expired',
      '410:sync_token_expired',
      '410:gone',
      '412:precondition_failed',
      '429:rate_limited',
      '500:server_error',
    ]);
  });

  it('[SYN7] replayed: cancelled instances and cancelled events leave the cache; edited instances replace theirs', async () => {
    const cache = new MemoryCalendarCache();
    const state = {
      calendarId: 'c',
      timeZone: 'America/Chicago',
      window: { timeMin: '2000-01-01T00:00:00Z', timeMax: '2100-01-01T00:00:00Z' },
    };
    const page = eventsPageSchema.parse(json('compass-sync-fixtures/edit__single__single.instance-3.json'));
    const instances = page.items.filter((i) => i.recurringEventId !== undefined);
    // Seed the cache as a previous sync would have left it: the series' instances, one more to cancel.
    const seeded = [
      ...instances,
      {
        ...instances[0]!,
        id: '5hni4sj3ql1669otmjg7sn1mok_20250325T130000Z',
        recurringEventId: '5hni4sj3ql1669otmjg7sn1mok',
      },
    ];
    await cache.applyChanges(
      'c',
      seeded.map((e) => toCached('c', e, state.timeZone, 1)),
      [],
    );
    const cancelInstance = eventsPageSchema.parse(
      json('compass-sync-fixtures/delete__this-and-following__delete.this-and-following.json'),
    );
    const onlyInstances = {
      ...cancelInstance,
      items: cancelInstance.items.filter((i) => i.recurrence === undefined),
    };
    const d1 = await diffPage(cache, state, onlyInstances, 1);
    expect(d1.removals).toEqual(['5hni4sj3ql1669otmjg7sn1mok_20250325T130000Z']);
    const editPage = { ...page, items: instances.map((i) => ({ ...i, summary: 'edited' })) };
    const d2 = await diffPage(cache, state, editPage, 1);
    expect(d2.upserts.map((u) => u.event.summary)).toEqual(['edited', 'edited', 'edited']);
    // A deleted series (singleEvents=false payload shape) removes every cached instance of it.
    const delAll = eventsPageSchema.parse(json('compass-sync-fixtures/delete__all__all-1.json'));
    await cache.applyChanges(
      'c',
      [
        toCached(
          'c',
          {
            ...instances[0]!,
            id: '6pbua6vjeic3e73gvponeo1qp6_20250324T123000Z',
            recurringEventId: '6pbua6vjeic3e73gvponeo1qp6',
          },
          state.timeZone,
          1,
        ),
      ],
      [],
    );
    expect((await diffPage(cache, state, delAll, 1)).removals).toEqual([
      '6pbua6vjeic3e73gvponeo1qp6',
      '6pbua6vjeic3e73gvponeo1qp6_20250324T123000Z',
    ]);
  });

  it('[SYN9] a series master in an instance listing is a bad_response, not silently dropped', async () => {
    const page = eventsPageSchema.parse(json('compass-sync-fixtures/create__create.json'));
    await expect(
      diffPage(
        new MemoryCalendarCache(),
        {
          calendarId: 'c',
          timeZone: 'UTC',
          window: { timeMin: '2000-01-01T00:00:00Z', timeMax: '2100-01-01T00:00:00Z' },
        },
        page,
        1,
      ),
    ).rejects.toMatchObject({ code: 'bad_response' });
  });
});
