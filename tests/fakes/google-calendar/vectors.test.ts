import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from './errors';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from './index';

const VECTORS = join(__dirname, '../../../../shared/vectors/gcal');
const read = (f: string): unknown => JSON.parse(readFileSync(join(VECTORS, f), 'utf8'));

interface Vector {
  http_status: number;
  body: { error: { errors: { reason: string }[] } };
}

let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFakeGoogleCalendar({ now: () => Date.parse('2025-03-20T12:00:00Z') });
});
afterAll(() => fake.close());

describe('the fake against ../shared/vectors/gcal', () => {
  it('[FAKE10] produces every documented error body exactly (status, domain, reason, message, location)', () => {
    const doc = read('calendar-api-error-bodies.json') as {
      errors: Vector[];
      captured_real_410: Vector & { status: number };
    };
    for (const v of doc.errors) {
      const reason = v.body.error.errors[0]!.reason;
      expect(errorBody(v.http_status, reason), reason).toEqual(v.body);
    }
    expect(errorBody(410, 'fullSyncRequired')).toEqual(doc.captured_real_410.body);
  });

  it('[FAKE11] serves every method it implements at the discovery document path and verb', async () => {
    const d = read('calendar-v3-discovery.json') as {
      servicePath: string;
      resources: Record<string, { methods: Record<string, { path: string; httpMethod: string }> }>;
    };
    expect(d.servicePath).toBe('calendar/v3/');
    const wanted = [
      ['calendarList', 'list'],
      ['events', 'list'],
      ['events', 'insert'],
      ['events', 'get'],
      ['events', 'patch'],
      ['events', 'delete'],
      ['freebusy', 'query'],
    ] as const;
    for (const [resource, method] of wanted) {
      const m = d.resources[resource]!.methods[method]!;
      const path = m.path.replace('{calendarId}', 'primary').replace('{eventId}', 'nosuchevent1');
      const res = await fetch(`${fake.url}/${d.servicePath}${path}`, {
        method: m.httpMethod,
        headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
        ...(m.httpMethod === 'POST' && {
          body: JSON.stringify({
            timeMin: '2025-01-01T00:00:00Z',
            timeMax: '2025-01-02T00:00:00Z',
            items: [],
            start: { date: '2025-01-01' },
            end: { date: '2025-01-02' },
          }),
        }),
      });
      // 404 only for the unknown event id, never for an unknown route.
      const body = (await res.json()) as { error?: { errors: { reason: string }[] } };
      if (path.includes('nosuchevent1')) expect(res.status, `${resource}.${method}`).toBe(404);
      else expect(res.status, `${resource}.${method}`).toBe(200);
      if (res.status === 404) expect(body.error?.errors[0]?.reason).toBe('notFound');
    }
  });

  it('[FAKE12] a non-expanded incremental sync has the shapes of the captured compass payloads', async () => {
    const dir = join(VECTORS, 'compass-sync-fixtures');
    const captured = readdirSync(dir).map(
      (f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { items: Record<string, unknown>[] },
    );
    const capturedKeys = (pred: (i: Record<string, unknown>) => boolean) =>
      new Set(captured.flatMap((p) => p.items.filter(pred).map((i) => Object.keys(i).sort().join(','))));

    fake.store.addCalendar({ id: 'shape@example.com', timeZone: 'America/Chicago' });
    const master = fake.store.seedEvent('shape@example.com', {
      summary: 'Dishes',
      start: { dateTime: '2025-03-24T07:30:00-05:00', timeZone: 'America/Chicago' },
      end: { dateTime: '2025-03-24T08:15:00-05:00', timeZone: 'America/Chicago' },
      recurrence: ['RRULE:FREQ=DAILY'],
    });
    const first = await list({});
    const token = first.nextSyncToken as string;
    fake.store.patch('shape@example.com', `${master.id}_20250326T123000Z`, {
      summary: 'Edited just this one',
    });
    fake.store.delete('shape@example.com', `${master.id}_20250327T123000Z`, {});
    const single = fake.store.seedEvent('shape@example.com', {
      summary: 'x',
      start: { dateTime: '2025-03-25T10:00:00-05:00' },
      end: { dateTime: '2025-03-25T11:00:00-05:00' },
    });
    fake.store.delete('shape@example.com', single.id, {});
    const changed = (await list({ syncToken: token })).items as Record<string, unknown>[];

    const keys = (i: Record<string, unknown>) => Object.keys(i).sort().join(',');
    const cancelledInstance = changed.find((i) => i.status === 'cancelled' && i.recurringEventId)!;
    const cancelledEvent = changed.find((i) => i.status === 'cancelled' && !i.recurringEventId)!;
    const editedInstance = changed.find((i) => i.status === 'confirmed' && i.recurringEventId)!;
    expect(capturedKeys((i) => i.status === 'cancelled' && 'recurringEventId' in i)).toContain(
      keys(cancelledInstance),
    );
    expect(capturedKeys((i) => i.status === 'cancelled' && !('recurringEventId' in i))).toContain(
      keys(cancelledEvent),
    );
    expect(capturedKeys((i) => i.status === 'confirmed' && 'recurringEventId' in i)).toContain(
      keys(editedInstance),
    );
    expect(capturedKeys((i) => i.status === 'confirmed' && 'recurrence' in i)).toContain(
      keys(first.items!.find((i) => 'recurrence' in i)!),
    );
    const page = captured.find((p) => 'nextSyncToken' in p) as Record<string, unknown>;
    const ours = await list({ syncToken: (await list({})).nextSyncToken as string });
    expect(Object.keys(ours).sort()).toEqual(Object.keys(page).sort());

    async function list(
      q: Record<string, string>,
    ): Promise<{ nextSyncToken?: string; items?: Record<string, unknown>[] }> {
      const res = await fetch(
        `${fake.url}/calendar/v3/calendars/shape%40example.com/events?${new URLSearchParams(q)}`,
        { headers: { authorization: 'Bearer test' } },
      );
      return (await res.json()) as { nextSyncToken?: string; items?: Record<string, unknown>[] };
    }
  });
});
