import type { CachedEvent, CalendarCache, SyncState, SyncWindow } from './cache';
import type { Clock } from './clock';
import { CalendarError, isCalendarError } from './errors';
import { ICS_LIMITS, readIcs, type IcsLimits } from './ics';
import { toCached } from './sync';

/*
 * Calendars read from iCalendar (rules ICS*, docs/protocol/calendar.md): an imported file, or a
 * calendar's secret address polled on the sync alarm. Both land in the same cache as Google's events,
 * with the same sync state, so free/busy, availability and the agenda read them unchanged.
 *
 *   secret address ── GET (If-None-Match: last ETag) ──► 304: still current (lastSyncedAt = now)
 *        │                                              200: read, expand, replace (one transaction)
 *        └ 404/410, 401/403, 5xx, network, too large, unreadable → degraded with the code;
 *          the last good events stay, stale, and count as unknown (never free) [CAL8]
 */

export interface IcsSyncDeps {
  cache: CalendarCache;
  clock: Clock;
  /** Where floating times and all-day dates go when the file does not say: the person's zone. */
  defaultZone: string;
  limits?: Partial<IcsLimits>;
  fetch?: typeof fetch;
  /** Days before / after now the expansion covers. Defaults: 30 and 365, as SYN1. */
  pastDays?: number;
  futureDays?: number;
}

export interface IcsStoreReport {
  events: number;
  removed: number;
  /** X-WR-CALNAME, when the file names itself. */
  name?: string;
}

const DAY = 86_400_000;

/**
 * [ICS5] Reads iCalendar text and replaces the calendar's cached events with its occurrences, in one
 * transaction with the sync state. Anything wrong with the text throws before the cache is touched:
 * the calendar keeps what it had.
 */
export async function storeIcs(
  deps: IcsSyncDeps,
  calendarId: string,
  text: string,
  meta: { etag?: string } = {},
): Promise<IcsStoreReport> {
  const now = deps.clock.now();
  const window = windowAt(now, deps.pastDays ?? 30, deps.futureDays ?? 365);
  const calendar = readIcs(text, {
    window,
    defaultZone: deps.defaultZone,
    limits: deps.limits ?? {},
  });
  const previous = await deps.cache.getSyncState(calendarId);
  const generation = (previous?.generation ?? 0) + 1;
  const from = Date.parse(window.timeMin);
  const to = Date.parse(window.timeMax);
  const events = new Map<string, CachedEvent>();
  for (const e of calendar.events) {
    // TIM2/TIM3 place every time exactly as for Google's events; the window test is then exact.
    const cached = toCached(calendarId, e, calendar.timeZone, generation);
    if (cached.endMs > from && cached.startMs < to) events.set(cached.id, cached);
  }
  // Everything cached so far is of an older generation: what the file no longer holds leaves.
  const removals = (await deps.cache.staleEventIds(calendarId, generation)).filter((id) => !events.has(id));
  const state: SyncState = {
    calendarId,
    window,
    timeZone: calendar.timeZone,
    generation,
    lastSyncedAt: now,
    health: 'ok',
    ...(meta.etag !== undefined && { etag: meta.etag }),
  };
  await deps.cache.applyChanges(calendarId, [...events.values()], removals, state);
  return { events: events.size, removed: removals.length, ...(calendar.name ? { name: calendar.name } : {}) };
}

/**
 * [ICS8] One poll of a secret address. Answers whether the calendar changed; any failure is recorded on
 * the calendar (degraded with its code, SYN11) and thrown as a typed `CalendarError`.
 */
export async function refreshIcsSubscription(
  deps: IcsSyncDeps,
  calendarId: string,
  url: string,
  signal?: AbortSignal,
): Promise<{ changed: boolean; name?: string }> {
  const now = deps.clock.now();
  const futureDays = deps.futureDays ?? 365;
  try {
    const state = await deps.cache.getSyncState(calendarId);
    // [ICS9] The ETag vouches for the text, not for the window it was expanded over: once less than half
    // of the future horizon is left (SYN6), the file is fetched and expanded again.
    const windowOk = state && Date.parse(state.window.timeMax) - now >= (futureDays * DAY) / 2;
    const etag = windowOk && state.lastSyncedAt !== undefined ? state.etag : undefined;
    const response = await get(deps, url, etag, signal);
    if (response.status === 304 && state && etag !== undefined) {
      const { lastErrorCode: _cleared, ...rest } = state;
      await deps.cache.putSyncState({ ...rest, lastSyncedAt: now, health: 'ok' });
      return { changed: false };
    }
    const text = await boundedText(response, { ...ICS_LIMITS, ...deps.limits }.maxBytes, signal);
    const newEtag = response.headers.get('etag') ?? undefined;
    const report = await storeIcs(deps, calendarId, text, newEtag !== undefined ? { etag: newEtag } : {});
    return { changed: true, ...(report.name !== undefined && { name: report.name }) };
  } catch (err) {
    const typed = isCalendarError(err)
      ? err
      : new CalendarError('unexpected', 'The calendar subscription failed unexpectedly.', { cause: err });
    if (typed.code !== 'aborted') {
      try {
        const state = (await deps.cache.getSyncState(calendarId)) ?? {
          calendarId,
          window: windowAt(now, deps.pastDays ?? 30, futureDays),
          timeZone: deps.defaultZone,
          generation: 0,
          health: 'degraded' as const,
        };
        // [SYN11] The last good events and their age stay; the calendar counts as unknown (CAL8).
        await deps.cache.putSyncState({ ...state, health: 'degraded', lastErrorCode: typed.code });
      } catch {
        // The cache itself is unavailable (the vault locked meanwhile): nothing can be recorded, and
        // the error below still reaches the caller, who logs it.
      }
    }
    throw typed;
  }
}

/**
 * [ICS8] A secret address as Parley fetches it: `webcal://` (Apple, Outlook links) is `https://`; only
 * https, or http to this machine (a local calendar server, the tests); no user name or password in it.
 */
export function icsAddress(input: string): string {
  const bad = (why: string): never => {
    throw new CalendarError('invalid_input', `That calendar address cannot be used: ${why}`);
  };
  const text = input.trim().replace(/^webcals?:\/\//i, 'https://');
  if (text.length > 2048) bad('it is longer than 2048 characters.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL at all: said as such (the text is the person's secret, never echoed).
    return bad('it is not a web address. Copy the secret iCal address from your calendar’s settings.');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    bad('it must start with https:// (or webcal://).');
  if (url.username || url.password) bad('it must not contain a user name or password.');
  return url.toString();
}

async function get(
  deps: IcsSyncDeps,
  url: string,
  etag: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(url, {
      headers: { accept: 'text/calendar, */*;q=0.5', ...(etag !== undefined && { 'if-none-match': etag }) },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'follow',
      ...(signal && { signal }),
    });
  } catch (cause) {
    if (signal?.aborted) throw new CalendarError('aborted', 'The calendar request was cancelled.', { cause });
    // No answer at all: the address is kept and polled again on the next alarm.
    throw new CalendarError('network', 'The calendar’s address could not be reached.', { cause });
  }
  const { status } = response;
  if (status === 200 || status === 304) return response;
  await drain(response.body);
  if (status === 404 || status === 410)
    throw new CalendarError('ics_address_gone', 'The secret address answers “not found”.', { status });
  if (status === 401 || status === 403)
    throw new CalendarError('ics_refused', 'The secret address refuses access.', { status });
  if (status === 429)
    throw new CalendarError('rate_limited', 'The calendar server is rate limiting.', { status });
  if (status >= 500) throw new CalendarError('server_error', 'The calendar server failed.', { status });
  throw new CalendarError('bad_response', `The calendar’s address answered ${status}.`, { status });
}

/** [ICS1] The body as text, refused as soon as it is larger than `maxBytes` (announced or streamed). */
async function boundedText(response: Response, maxBytes: number, signal?: AbortSignal): Promise<string> {
  const tooLarge = () =>
    new CalendarError(
      'ics_too_large',
      `The calendar at this address is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`,
    );
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (announced > maxBytes) {
    await drain(response.body);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await drain(reader);
        throw tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (cause) {
    if (isCalendarError(cause)) throw cause;
    if (signal?.aborted) throw new CalendarError('aborted', 'The calendar request was cancelled.', { cause });
    // The connection broke mid-body: what was cached stays, and the next alarm tries again.
    throw new CalendarError('network', 'The calendar’s address stopped answering.', { cause });
  }
  return text + decoder.decode();
}

/** Stops reading a body Parley will not use. */
async function drain(stream: { cancel(): Promise<void> } | null): Promise<void> {
  // The body is being dropped: a failure to cancel it changes nothing for the answer already decided.
  await stream?.cancel().catch(() => undefined);
}

function windowAt(now: number, pastDays: number, futureDays: number): SyncWindow {
  return {
    timeMin: new Date(now - pastDays * DAY).toISOString(),
    timeMax: new Date(now + futureDays * DAY).toISOString(),
  };
}
