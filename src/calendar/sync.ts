import type { CachedEvent, CalendarCache, SyncState, SyncWindow } from './cache';
import type { CalendarClient } from './client';
import type { Clock } from './clock';
import { CalendarError, isCalendarError, type CalendarErrorCode } from './errors';
import type { EventsPage, GEvent } from './schemas';
import { instantRange } from './time';

/*
 * Per-calendar sync (rules SYN*, docs/protocol/calendar.md):
 *
 *            no token / 410 / window too short
 *   (start) ─────────────────────────────────► FULL ──pages (pageToken)──► last page: nextSyncToken
 *      │                                        ▲  │                           │ drop what this generation
 *      │ token                                  │  └─ failure: keep pageToken  │ did not see (deletions
 *      ▼                                        │     and resume there         ▼ by diff), store token
 *   INCREMENTAL ──pages──► last page: store nextSyncToken ──────────────────► (idle)
 *      │ 410 fullSyncRequired → drop token, FULL with a new generation
 *      └ any other failure → keep the old token (the last good sync point); health degraded or
 *        reconnect_required, cached events and their age stay readable
 */

export interface SyncDeps {
  client: CalendarClient;
  cache: CalendarCache;
  clock: Clock;
}

export interface SyncOptions {
  /** Days before / after now the full sync covers. Defaults: 30 and 365. */
  pastDays?: number;
  futureDays?: number;
  /** events.list maxResults (Google's maximum, 2500, by default: fewest round trips). */
  pageSize?: number;
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
}

export interface SyncProgress {
  calendarId: string;
  mode: 'full' | 'incremental';
  pages: number;
  events: number;
}

export interface SyncReport {
  calendarId: string;
  mode: 'full' | 'incremental';
  upserted: number;
  removed: number;
  pages: number;
  /** True when the stored token was refused (410) and a full sync replaced it. */
  recoveredFromExpiredToken: boolean;
}

export type CalendarStatus =
  | { state: 'never_synced' }
  | { state: 'ok'; lastSyncedAt: number; ageMs: number }
  | { state: 'degraded'; reason: CalendarErrorCode; lastSyncedAt?: number; ageMs?: number }
  | { state: 'reconnect_required'; lastSyncedAt?: number; ageMs?: number };

const DAY = 86_400_000;

export async function syncCalendar(
  deps: SyncDeps,
  calendarId: string,
  opts: SyncOptions = {},
): Promise<SyncReport> {
  const now = deps.clock.now();
  const pastDays = opts.pastDays ?? 30;
  const futureDays = opts.futureDays ?? 365;
  const initial: SyncState = {
    calendarId,
    window: windowAt(now, pastDays, futureDays),
    timeZone: 'UTC',
    generation: 0,
    health: 'ok',
  };
  let state: SyncState = (await deps.cache.getSyncState(calendarId)) ?? initial;
  const report: SyncReport = {
    calendarId,
    mode: 'incremental',
    upserted: 0,
    removed: 0,
    pages: 0,
    recoveredFromExpiredToken: false,
  };
  try {
    // [SYN6] The window slides: once less than half of the future horizon is left, re-list everything.
    const shortWindow = Date.parse(state.window.timeMax) - now < (futureDays * DAY) / 2;
    if (state.syncToken !== undefined && !shortWindow && state.fullSync === undefined) {
      try {
        state = await incremental(deps, state, opts, report);
        return report;
      } catch (err) {
        if (!isCalendarError(err, 'sync_token_expired')) throw err;
        // [SYN4] The token is gone: forget it and re-list; deletions are inferred by diff at the end.
        report.recoveredFromExpiredToken = true;
        const { syncToken: _dropped, ...rest } = state;
        state = rest;
        await deps.cache.putSyncState(state);
      }
    }
    report.mode = 'full';
    state = await full(deps, state, windowAt(now, pastDays, futureDays), opts, report);
    return report;
  } catch (err) {
    // [SYN11] Whatever failed, the calendar is degraded until a sync completes; a failure that is not a
    // CalendarError (a bug) is recorded the same way and leaves as a typed error with its cause.
    const typed = isCalendarError(err)
      ? err
      : new CalendarError('unexpected', 'The calendar sync failed unexpectedly.', { cause: err });
    try {
      await recordFailure(deps, initial, typed);
    } catch {
      // The cache itself is unavailable (e.g. the vault locked meanwhile): nothing can be recorded, and
      // the sync error below still reaches the caller, who logs it.
    }
    throw typed;
  }
}

async function incremental(
  deps: SyncDeps,
  start: SyncState,
  opts: SyncOptions,
  report: SyncReport,
): Promise<SyncState> {
  let state = start;
  let pageToken: string | undefined;
  do {
    const page = await deps.client.listEvents(
      state.calendarId,
      {
        singleEvents: true,
        showDeleted: true,
        syncToken: state.syncToken!,
        maxResults: opts.pageSize ?? 2500,
        ...(pageToken !== undefined && { pageToken }),
      },
      opts.signal,
    );
    report.pages++;
    const { upserts, removals } = await diffPage(deps.cache, state, page, state.generation);
    pageToken = page.nextPageToken;
    if (pageToken === undefined) {
      if (page.nextSyncToken === undefined) throw missingToken();
      state = done(state, page, deps.clock.now());
    }
    // [SYN3] Each page is applied as it comes (absolute states, so replaying a page is harmless); the
    // token only moves with the last page, so a failure resumes from the last good sync point.
    await deps.cache.applyChanges(
      state.calendarId,
      upserts,
      removals,
      pageToken === undefined ? state : undefined,
    );
    report.upserted += upserts.length;
    report.removed += removals.length;
    opts.onProgress?.({
      calendarId: state.calendarId,
      mode: 'incremental',
      pages: report.pages,
      events: report.upserted + report.removed,
    });
  } while (pageToken !== undefined);
  return state;
}

async function full(
  deps: SyncDeps,
  start: SyncState,
  freshWindow: SyncWindow,
  opts: SyncOptions,
  report: SyncReport,
): Promise<SyncState> {
  let state = start;
  // [SYN5] Resume an interrupted full sync from its last page token, same window and generation.
  let progress = state.fullSync ?? { generation: state.generation + 1, window: freshWindow };
  for (let restarts = 0; ; restarts++) {
    try {
      let pageToken = progress.pageToken;
      for (;;) {
        const page = await deps.client.listEvents(
          state.calendarId,
          {
            singleEvents: true,
            showDeleted: false,
            timeMin: progress.window.timeMin,
            timeMax: progress.window.timeMax,
            maxResults: opts.pageSize ?? 2500,
            ...(pageToken !== undefined && { pageToken }),
          },
          opts.signal,
        );
        report.pages++;
        if (page.timeZone !== undefined) state = { ...state, timeZone: page.timeZone };
        const bounded = { ...state, window: progress.window };
        const { upserts, removals } = await diffPage(deps.cache, bounded, page, progress.generation);
        pageToken = page.nextPageToken;
        if (pageToken !== undefined) {
          progress = { ...progress, pageToken };
          state = { ...state, fullSync: progress };
          await deps.cache.applyChanges(state.calendarId, upserts, removals, state);
        } else {
          if (page.nextSyncToken === undefined) throw missingToken();
          await deps.cache.applyChanges(state.calendarId, upserts, removals);
          // [SYN2] Whatever this generation did not see is gone on Google (or left the window).
          const stale = await deps.cache.staleEventIds(state.calendarId, progress.generation);
          const { fullSync: _done, ...rest } = state;
          state = done(
            { ...rest, window: progress.window, generation: progress.generation },
            page,
            deps.clock.now(),
          );
          await deps.cache.applyChanges(state.calendarId, [], stale, state);
          report.removed += stale.length;
        }
        report.upserted += upserts.length;
        report.removed += removals.length;
        opts.onProgress?.({
          calendarId: state.calendarId,
          mode: 'full',
          pages: report.pages,
          events: report.upserted,
        });
        if (pageToken === undefined) return state;
      }
    } catch (err) {
      // A stale resume token (400) or a token that expired mid-listing: start the listing over once.
      const resumable =
        progress.pageToken !== undefined &&
        (isCalendarError(err, 'bad_request') || isCalendarError(err, 'sync_token_expired'));
      if (!resumable || restarts > 0) throw err;
      progress = { generation: progress.generation + 1, window: freshWindow };
    }
  }
}

/** Turns one page into cache changes. Exported for replaying captured payloads. */
export async function diffPage(
  cache: CalendarCache,
  state: Pick<SyncState, 'calendarId' | 'timeZone' | 'window'>,
  page: EventsPage,
  generation: number,
): Promise<{ upserts: CachedEvent[]; removals: string[] }> {
  const zone = page.timeZone ?? state.timeZone;
  const winMin = Date.parse(state.window.timeMin);
  const winMax = Date.parse(state.window.timeMax);
  const upserts: CachedEvent[] = [];
  const removals: string[] = [];
  for (const item of page.items) {
    if (item.status === 'cancelled') {
      removals.push(item.id);
      // [SYN7] A cancelled series id also takes its cached instances with it, whatever the server
      // sends for them. Under singleEvents a series master is never cached itself, so an id that
      // is in the cache is a plain event and needs no (costly) search for instances.
      if (item.recurringEventId === undefined && !(await cache.getEvent(state.calendarId, item.id)))
        removals.push(...(await cache.instanceIds(state.calendarId, item.id)));
      continue;
    }
    if (item.recurrence !== undefined) {
      throw new CalendarError(
        'bad_response',
        'Google sent a recurring series although instances were requested (singleEvents).',
      );
    }
    const cached = toCached(state.calendarId, item, zone, generation);
    // [SYN8] Incremental results are not bounded by the window: an event that moved out of it leaves.
    if (cached.endMs > winMin && cached.startMs < winMax) upserts.push(cached);
    else removals.push(item.id);
  }
  return { upserts, removals };
}

export const PARLEY_NEGOTIATION_KEY = 'parleyNegotiation';

export function toCached(
  calendarId: string,
  e: GEvent,
  calendarZone: string,
  generation: number,
): CachedEvent {
  if (e.start === undefined || e.end === undefined) {
    throw new CalendarError('bad_response', 'Google sent an event without a start or end.');
  }
  const range = instantRange(e.start, e.end, calendarZone);
  return {
    calendarId,
    id: e.id,
    ...(e.etag !== undefined && { etag: e.etag }),
    status: e.status === 'tentative' ? 'tentative' : 'confirmed',
    start: e.start,
    end: e.end,
    ...range,
    ...(e.updated !== undefined && { updated: e.updated }),
    ...(e.recurringEventId !== undefined && { recurringEventId: e.recurringEventId }),
    transparent: e.transparency === 'transparent',
    declined: e.attendees?.some((a) => a.self === true && a.responseStatus === 'declined') ?? false,
    origin: e.extendedProperties?.private?.[PARLEY_NEGOTIATION_KEY] !== undefined ? 'agent' : 'user',
    generation,
    event: e,
  };
}

function done(state: SyncState, page: EventsPage, now: number): SyncState {
  const { lastErrorCode: _cleared, ...rest } = state;
  return {
    ...rest,
    syncToken: page.nextSyncToken!,
    lastSyncedAt: now,
    health: 'ok',
    ...(page.timeZone !== undefined && { timeZone: page.timeZone }),
  };
}

async function recordFailure(deps: SyncDeps, initial: SyncState, err: CalendarError): Promise<void> {
  // Stopped because the agent locked: not a failure of the calendar, and nothing changed on Google's side.
  if (err.code === 'aborted') return;
  // A first sync that failed is recorded too, so the overview says "degraded" rather than "never synced".
  const state = (await deps.cache.getSyncState(initial.calendarId)) ?? initial;
  // [ERR4][ERR5][SYN11] An auth failure asks for a reconnect; any other failure degrades.
  const health = err.code === 'reconnect_required' ? 'reconnect_required' : 'degraded';
  await deps.cache.putSyncState({ ...state, health, lastErrorCode: err.code });
}

/** What the popup shows: health plus how old the cached data is. */
export async function calendarStatus(
  deps: Pick<SyncDeps, 'cache' | 'clock'>,
  calendarId: string,
): Promise<CalendarStatus> {
  const s = await deps.cache.getSyncState(calendarId);
  if (!s || (s.lastSyncedAt === undefined && s.health === 'ok')) return { state: 'never_synced' };
  const age =
    s.lastSyncedAt !== undefined
      ? { lastSyncedAt: s.lastSyncedAt, ageMs: deps.clock.now() - s.lastSyncedAt }
      : {};
  if (s.health === 'reconnect_required') return { state: 'reconnect_required', ...age };
  if (s.health === 'degraded')
    return { state: 'degraded', reason: s.lastErrorCode ?? 'server_error', ...age };
  return { state: 'ok', lastSyncedAt: s.lastSyncedAt!, ageMs: deps.clock.now() - s.lastSyncedAt! };
}

function windowAt(now: number, pastDays: number, futureDays: number): SyncWindow {
  return {
    timeMin: new Date(now - pastDays * DAY).toISOString(),
    timeMax: new Date(now + futureDays * DAY).toISOString(),
  };
}

function missingToken(): CalendarError {
  return new CalendarError('bad_response', 'The last page of a listing carried no nextSyncToken.');
}
