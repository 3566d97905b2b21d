import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGoogleCalendar } from '../../tests/fakes/google-calendar/index';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from './backoff';
import { CalendarClient } from './client';
import { manualClock } from './clock';
import { rig, startFake, staticTokens } from '../../tests/fakes/google-calendar/rig';

let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(() => fake.close());

describe('client retries and errors', () => {
  it('[ERR1] backs off exponentially on 429, 403 rate limits and 5xx, honouring Retry-After, with no real sleep', async () => {
    const r = rig(fake, staticTokens('test'), () => 0); // jitter pinned to the low end
    fake.fail({ status: 500 });
    fake.fail({ status: 403, reason: 'userRateLimitExceeded' });
    fake.fail({ status: 429, retryAfter: 7 });
    await r.client.listCalendars();
    // attempt 0: 1000·2^0 jittered to 500; attempt 1: 1000; attempt 2: Retry-After 7 s wins over 2000.
    expect(r.clock.sleeps).toEqual([500, 1000, 7000]);
    expect(r.client.calls).toBe(4);
  });

  it('[ERR1] gives up after maxAttempts with a typed error', async () => {
    const r = rig(fake);
    fake.fail({ status: 403, reason: 'rateLimitExceeded', count: 4 });
    await expect(r.client.listCalendars()).rejects.toMatchObject({
      name: 'CalendarError',
      code: 'rate_limited',
      status: 403,
    });
    expect(r.clock.sleeps).toHaveLength(3);
  });

  it('[ERR2] does not retry what retrying cannot fix (quotaExceeded, 404, 400)', async () => {
    const r = rig(fake);
    fake.fail({ status: 403, reason: 'quotaExceeded' });
    await expect(r.client.listCalendars()).rejects.toMatchObject({ code: 'quota_exhausted' });
    await expect(r.client.getEvent('primary', 'nosuchevent')).rejects.toMatchObject({ code: 'not_found' });
    expect(r.clock.sleeps).toEqual([]);
  });

  it('[ERR3] a response that breaks the schema is a bad_response error, not a crash', async () => {
    const clock = manualClock();
    const answers = [
      { kind: 'calendar#events', items: [{ id: 42 }] },
      { kind: 'calendar#events', items: [{ id: 'x', start: { date: 'tomorrow' } }] },
      'not json at all',
    ];
    for (const body of answers) {
      const client = new CalendarClient({
        baseUrl: 'https://example.invalid/calendar/v3',
        tokens: staticTokens('t'),
        clock,
        fetch: () =>
          Promise.resolve(
            new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 }),
          ),
      });
      await expect(client.listEvents('primary', {})).rejects.toMatchObject({ code: 'bad_response' });
    }
  });

  it('[ERR3] a lost connection is retried, then reported as network', async () => {
    const clock = manualClock();
    let calls = 0;
    const client = new CalendarClient({
      baseUrl: 'https://example.invalid/calendar/v3',
      tokens: staticTokens('t'),
      clock,
      retry: { maxAttempts: 3, random: () => 1 },
      fetch: () => {
        calls++;
        return Promise.reject(new TypeError('fetch failed'));
      },
    });
    await expect(client.listCalendars()).rejects.toMatchObject({ code: 'network' });
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it('[ERR1] backoff delay: within [ceiling/2, ceiling], capped, never below Retry-After', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 20 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.option(fc.nat({ max: 120_000 }), { nil: undefined }),
        (attempt, rnd, retryAfter) => {
          const policy = { ...DEFAULT_RETRY, random: () => rnd };
          const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
          const d = backoffDelay(policy, attempt, retryAfter);
          expect(d).toBeGreaterThanOrEqual(
            Math.min(Math.round(ceiling / 2), Math.max(ceiling / 2, retryAfter ?? 0)),
          );
          expect(d).toBeGreaterThanOrEqual(retryAfter ?? 0);
          if (retryAfter === undefined) expect(d).toBeLessThanOrEqual(ceiling);
        },
      ),
      { seed: 7 },
    );
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')),
    ).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
