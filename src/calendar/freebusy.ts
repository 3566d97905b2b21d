import type { CalendarCache } from './cache';
import type { CalendarClient } from './client';
import type { Clock } from './clock';
import { CalendarError } from './errors';
import { offsetInstant } from './time';
import { createLogger, errorFields } from '../log';

const log = createLogger('calendar').child('freebusy');

export interface BusyInterval {
  startMs: number;
  endMs: number;
}

/** [FB1] A calendar we could not read is `unknown`: callers must never treat it as free. */
export type CalendarAvailability =
  { kind: 'known'; source: 'cache' | 'freebusy'; busy: BusyInterval[] } | { kind: 'unknown'; reason: string };

export interface FreeBusyQuery {
  calendarIds: string[];
  fromMs: number;
  toMs: number;
  /** The cache answers only if it was synced at most this long ago (default 20 min: one missed alarm). */
  maxCacheAgeMs?: number;
}

/** Google's limit on calendars per freebusy.query. */
export const FREEBUSY_BATCH = 50;

/**
 * Busy time per calendar: from the cache where it is complete and fresh for the range [FB2], from the
 * freebusy endpoint otherwise [FB3], `unknown` where neither works [FB1].
 */
export async function freeBusy(
  deps: { client: CalendarClient; cache: CalendarCache; clock: Clock },
  q: FreeBusyQuery,
): Promise<Record<string, CalendarAvailability>> {
  if (!(q.toMs > q.fromMs))
    throw new CalendarError(
      'invalid_input',
      'The free/busy range is empty: its end must be after its start.',
    );
  const out: Record<string, CalendarAvailability> = {};
  const remote: string[] = [];
  const now = deps.clock.now();
  for (const id of q.calendarIds) {
    const s = await deps.cache.getSyncState(id);
    const fresh =
      s?.syncToken !== undefined &&
      s.lastSyncedAt !== undefined &&
      now - s.lastSyncedAt <= (q.maxCacheAgeMs ?? 20 * 60_000) &&
      Date.parse(s.window.timeMin) <= q.fromMs &&
      Date.parse(s.window.timeMax) >= q.toMs;
    if (!fresh) {
      remote.push(id);
      continue;
    }
    const events = await deps.cache.listEvents(id, { fromMs: q.fromMs, toMs: q.toMs });
    out[id] = {
      kind: 'known',
      source: 'cache',
      busy: merge(
        events
          .filter((e) => !e.transparent && !e.declined)
          .map((e) => ({ startMs: e.startMs, endMs: e.endMs })),
        q,
      ),
    };
  }
  for (let i = 0; i < remote.length; i += FREEBUSY_BATCH) {
    const batch = remote.slice(i, i + FREEBUSY_BATCH);
    try {
      const res = await deps.client.freeBusy({
        timeMin: new Date(q.fromMs).toISOString(),
        timeMax: new Date(q.toMs).toISOString(),
        items: batch.map((id) => ({ id })),
        calendarExpansionMax: FREEBUSY_BATCH,
      });
      for (const id of batch) {
        const cal = res.calendars[id];
        if (!cal) out[id] = { kind: 'unknown', reason: 'missing' };
        else if (cal.errors && cal.errors.length > 0)
          out[id] = { kind: 'unknown', reason: cal.errors[0]?.reason ?? 'error' };
        else {
          const busy = cal.busy.map((b) => ({
            startMs: offsetInstant(b.start),
            endMs: offsetInstant(b.end),
          }));
          // [FB1] A busy span we cannot read (no offset, not RFC 3339) would vanish in merge(): the
          // calendar is unknown instead, never free there.
          if (busy.some((b) => !(b.endMs >= b.startMs)))
            out[id] = { kind: 'unknown', reason: 'bad_response' };
          else out[id] = { kind: 'known', source: 'freebusy', busy: merge(busy, q) };
        }
      }
    } catch (err) {
      // [FB1] Calendars we could not ask are `unknown`, never free; the reason travels with them.
      log.warn('freebusy_failed', { calendars: batch.length, ...errorFields(err) });
      const reason = err instanceof CalendarError ? err.code : 'error';
      for (const id of batch) out[id] = { kind: 'unknown', reason };
    }
  }
  return out;
}

/** Sorted, non-overlapping, clipped to the query. */
export function merge(spans: BusyInterval[], q: { fromMs: number; toMs: number }): BusyInterval[] {
  const sorted = spans
    .map((s) => ({ startMs: Math.max(s.startMs, q.fromMs), endMs: Math.min(s.endMs, q.toMs) }))
    .filter((s) => s.endMs > s.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const out: BusyInterval[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}
