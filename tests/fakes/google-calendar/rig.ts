// Test wiring for src/calendar's tests: our client and an in-memory cache pointed at this fake.
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from './index';
import {
  CalendarClient,
  MemoryCalendarCache,
  manualClock,
  type TokenProvider,
} from '../../../src/calendar/index';

export const T0 = Date.parse('2026-01-05T15:00:00Z');

export async function startFake(): Promise<FakeGoogleCalendar> {
  return startFakeGoogleCalendar({ now: () => T0 });
}

export function rig(
  fake: FakeGoogleCalendar,
  tokens: TokenProvider = staticTokens('test'),
  random = () => 0.5,
) {
  const clock = manualClock(T0);
  const client = new CalendarClient({
    baseUrl: `${fake.url}/calendar/v3`,
    tokens,
    clock,
    retry: { random, maxAttempts: 4 },
  });
  const cache = new MemoryCalendarCache();
  return { clock, client, cache, deps: { client, cache, clock } };
}

export function staticTokens(token: string): TokenProvider & { refreshes: number } {
  const p = {
    refreshes: 0,
    getToken: () => Promise.resolve(token),
    refreshToken: () => {
      p.refreshes++;
      return Promise.resolve(token);
    },
  };
  return p;
}

let n = 0;
export function freshCalendar(fake: FakeGoogleCalendar, timeZone = 'America/Chicago'): string {
  n++;
  const id = `cal${n}@example.com`;
  fake.store.addCalendar({ id, timeZone });
  return id;
}
