import { base32hexnopad } from '@scure/base';
import type { CachedEvent, CalendarCache, LocalWrite } from './cache';
import type { CalendarClient, SendUpdates } from './client';
import type { Clock } from './clock';
import { resolveConflict, type ConflictSide } from './conflicts';
import { CalendarError, isCalendarError } from './errors';
import type { EventDateTime, GEvent } from './schemas';
import { PARLEY_NEGOTIATION_KEY, toCached } from './sync';
import { checkEventTimes } from './time';
import { createLogger, errorFields } from '../log';

const log = createLogger('calendar').child('writes');

export interface WriteDeps {
  client: CalendarClient;
  cache: CalendarCache;
  clock: Clock;
}

export interface NewEventInput {
  calendarId: string;
  negotiationId: string;
  summary: string;
  description?: string;
  location?: string;
  /** `{ dateTime, timeZone }` (IANA zone) for a timed event, `{ date }` for an all-day one. */
  start: EventDateTime;
  end: EventDateTime;
  attendees?: { email: string; displayName?: string }[];
  /** Ask Google for a Meet link (conferenceData, conferenceDataVersion=1). */
  meet?: boolean;
}

export type WriteOutcome =
  | { status: 'applied'; event?: CachedEvent }
  | { status: 'superseded'; rule: string }
  | { status: 'conflict'; conflictKey: string };

/**
 * [WRT1] The Google event id for a negotiation: SHA-256 of a domain-separated negotiation id, in
 * lowercase base32hex (52 characters, within Google's 5–1024 [a-v0-9]). Same negotiation, same id, on
 * every device and every retry.
 */
export async function eventIdForNegotiation(negotiationId: string): Promise<string> {
  if (negotiationId.length === 0)
    throw new CalendarError('invalid_input', 'A negotiation id is needed to derive an event id.');
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(`parley/gcal-event-id/v1\u0000${negotiationId}`),
    ),
  );
  return base32hexnopad.encode(digest).toLowerCase();
}

/**
 * [WRT4] Guests hear about what the agent books, moves or cancels ('all'): an invitation the other
 * side's agent negotiated is the point of the booking, and Google warns that 'none' can leave guests'
 * calendars out of sync. With no guests there is nobody to notify ('none').
 */
export function sendUpdatesFor(event: Pick<GEvent, 'attendees'> | undefined): SendUpdates {
  return (event?.attendees ?? []).some((a) => a.self !== true) ? 'all' : 'none';
}

/** [WRT2] Creates locally first (a pending write survives a crash), then pushes with the derived id. */
export async function createEvent(deps: WriteDeps, input: NewEventInput): Promise<CachedEvent> {
  checkEventTimes(input.start, input.end);
  const id = await eventIdForNegotiation(input.negotiationId);
  const body: Record<string, unknown> = {
    id,
    summary: input.summary,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.location !== undefined && { location: input.location }),
    start: input.start,
    end: input.end,
    ...(input.attendees && input.attendees.length > 0 && { attendees: input.attendees }),
    extendedProperties: { private: { [PARLEY_NEGOTIATION_KEY]: input.negotiationId } },
    ...(input.meet === true && {
      // The request id is the event id, so a retried create asks for the same conference.
      conferenceData: { createRequest: { requestId: id, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
    }),
  };
  const write: LocalWrite = {
    key: `create:${input.calendarId}:${id}`,
    calendarId: input.calendarId,
    eventId: id,
    op: 'create',
    body,
    origin: 'agent',
    negotiationId: input.negotiationId,
    madeAt: deps.clock.now(),
    state: 'pending',
  };
  const existing = await deps.cache.getLocalWrite(write.key);
  if (!existing) await deps.cache.putLocalWrite(write);
  const outcome = await push(deps, existing ?? write);
  if (outcome.status !== 'applied' || !outcome.event)
    throw new CalendarError('bad_response', 'The created event could not be read back.');
  return outcome.event;
}

export async function updateEvent(
  deps: WriteDeps,
  input: { calendarId: string; eventId: string; changes: Record<string, unknown>; origin: 'agent' | 'user' },
): Promise<WriteOutcome> {
  const cached = await deps.cache.getEvent(input.calendarId, input.eventId);
  const start = (input.changes.start ?? cached?.start) as EventDateTime | undefined;
  const end = (input.changes.end ?? cached?.end) as EventDateTime | undefined;
  if ((input.changes.start || input.changes.end) && start && end) checkEventTimes(start, end);
  return enqueue(deps, {
    key: `update:${input.calendarId}:${input.eventId}`,
    calendarId: input.calendarId,
    eventId: input.eventId,
    op: 'update',
    body: input.changes,
    origin: input.origin,
    ...(cached?.etag !== undefined && { baseEtag: cached.etag }),
    ...(cached && { base: cached.event }),
    madeAt: deps.clock.now(),
    state: 'pending',
  });
}

export async function deleteEvent(
  deps: WriteDeps,
  input: { calendarId: string; eventId: string; origin: 'agent' | 'user' },
): Promise<WriteOutcome> {
  const cached = await deps.cache.getEvent(input.calendarId, input.eventId);
  return enqueue(deps, {
    key: `delete:${input.calendarId}:${input.eventId}`,
    calendarId: input.calendarId,
    eventId: input.eventId,
    op: 'delete',
    body: {},
    origin: input.origin,
    ...(cached?.etag !== undefined && { baseEtag: cached.etag }),
    ...(cached && { base: cached.event }),
    madeAt: deps.clock.now(),
    state: 'pending',
  });
}

/** Retries every pending write (after a restart, or when the network is back). */
export async function pushPendingWrites(
  deps: WriteDeps,
): Promise<{ applied: number; failed: number; conflicts: number }> {
  const tally = { applied: 0, failed: 0, conflicts: 0 };
  for (const w of await deps.cache.listLocalWrites()) {
    if (w.state !== 'pending') continue;
    try {
      const r = await push(deps, w);
      if (r.status === 'conflict') tally.conflicts++;
      else tally.applied++;
    } catch (error) {
      // WRT2: the write stays pending with its last error code; the next push retries it.
      log.warn('pending_write_failed', errorFields(error));
      tally.failed++;
    }
  }
  return tally;
}

/** [CON1] Records the person's choice for a surfaced conflict and carries it out. */
export async function decideConflict(
  deps: WriteDeps,
  conflictKey: string,
  choice: 'local' | 'remote',
): Promise<WriteOutcome> {
  const conflict = (await deps.cache.listConflicts()).find((c) => c.key === conflictKey);
  if (!conflict) throw new CalendarError('invalid_input', 'That conflict is no longer open.');
  await deps.cache.putDecision({ key: conflictKey, choice, decidedAt: deps.clock.now() });
  await deps.cache.deleteConflict(conflictKey);
  const write = await deps.cache.getLocalWrite(conflict.writeKey);
  if (!write) return { status: 'superseded', rule: 'CON1' };
  return push(deps, { ...write, state: 'pending' });
}

async function enqueue(deps: WriteDeps, write: LocalWrite): Promise<WriteOutcome> {
  const prior = await deps.cache.getLocalWrite(write.key);
  // Two local edits of one event before a push: one write with both changes, the first base kept.
  const merged: LocalWrite = prior
    ? {
        ...write,
        body: { ...prior.body, ...write.body },
        ...(prior.baseEtag !== undefined && { baseEtag: prior.baseEtag }),
        ...(prior.base && { base: prior.base }),
      }
    : write;
  await deps.cache.putLocalWrite(merged);
  return push(deps, merged);
}

async function push(deps: WriteDeps, write: LocalWrite): Promise<WriteOutcome> {
  try {
    const outcome = await pushOnce(deps, write);
    if (outcome.status !== 'conflict') await deps.cache.deleteLocalWrite(write.key);
    return outcome;
  } catch (err) {
    // WRT2: keep the write (with why it failed) for pushPendingWrites, and let the caller see the error.
    if (isCalendarError(err) && (await deps.cache.getLocalWrite(write.key))) {
      await deps.cache.putLocalWrite({ ...write, lastErrorCode: err.code });
    }
    throw err;
  }
}

async function pushOnce(deps: WriteDeps, write: LocalWrite, etag = write.baseEtag): Promise<WriteOutcome> {
  const { client } = deps;
  if (write.op === 'create') {
    let created: GEvent;
    try {
      created = await client.insertEvent(write.calendarId, write.body, {
        sendUpdates: sendUpdatesFor(write.body as Pick<GEvent, 'attendees'>),
        ...('conferenceData' in write.body && { conferenceDataVersion: 1 as const }),
      });
    } catch (err) {
      if (!isCalendarError(err, 'duplicate')) throw err;
      // [WRT3] The id is taken: if it carries our negotiation id, an earlier try got through.
      const existing = await client.getEvent(write.calendarId, write.eventId);
      if (existing.extendedProperties?.private?.[PARLEY_NEGOTIATION_KEY] !== write.negotiationId) {
        await deps.cache.deleteLocalWrite(write.key);
        throw new CalendarError(
          'duplicate',
          'Another event already uses the id derived from this negotiation; nothing was created.',
        );
      }
      if (existing.status === 'cancelled') {
        await deps.cache.deleteLocalWrite(write.key);
        throw new CalendarError(
          'gone',
          'The person deleted this booking on Google; it is not created again.',
        );
      }
      created = existing;
    }
    return { status: 'applied', event: await store(deps, write.calendarId, created) };
  }

  try {
    if (write.op === 'update') {
      const updated = await client.patchEvent(write.calendarId, write.eventId, write.body, {
        sendUpdates: sendUpdatesFor(write.base),
        ...(etag !== undefined && { etag }),
      });
      return { status: 'applied', event: await store(deps, write.calendarId, updated) };
    }
    await client.deleteEvent(write.calendarId, write.eventId, {
      sendUpdates: sendUpdatesFor(write.base),
      ...(etag !== undefined && { etag }),
    });
    await deps.cache.applyChanges(write.calendarId, [], [write.eventId]);
    return { status: 'applied' };
  } catch (err) {
    // WRT6: 412 (another version) and 404/410 (gone) are conflicts to settle, not failures.
    if (
      !isCalendarError(err, 'precondition_failed') &&
      !isCalendarError(err, 'not_found') &&
      !isCalendarError(err, 'gone')
    )
      throw err;
    if (write.op === 'delete' && !isCalendarError(err, 'precondition_failed')) {
      // Already gone: the deletion's goal holds.
      await deps.cache.applyChanges(write.calendarId, [], [write.eventId]);
      return { status: 'applied' };
    }
    return settleConflict(deps, write);
  }
}

/** Google has another version than the one the write was based on: decide who wins. */
async function settleConflict(deps: WriteDeps, write: LocalWrite): Promise<WriteOutcome> {
  let remote: GEvent | null;
  try {
    remote = await deps.client.getEvent(write.calendarId, write.eventId);
  } catch (err) {
    // Deleted on Google meanwhile: that is the remote side of this conflict.
    if (!isCalendarError(err, 'not_found')) throw err;
    remote = null;
  }
  const remoteDeleted = remote === null || remote.status === 'cancelled';
  const key = `${write.calendarId}:${write.eventId}:${remote?.etag ?? 'deleted'}`;
  const local: ConflictSide = {
    origin: write.origin,
    changedAt: write.madeAt,
    changes: write.body,
    deleted: write.op === 'delete',
  };
  const theirs: ConflictSide = {
    // Any change on Google we did not make is the person's (or another of their apps').
    origin: 'user',
    changedAt: remote?.updated !== undefined ? Date.parse(remote.updated) : deps.clock.now(),
    changes: remote ? changedFields(write.base, remote) : {},
    deleted: remoteDeleted,
  };
  const decision = await deps.cache.getDecision(key);
  const verdict = resolveConflict(local, theirs, decision?.choice);
  if (verdict.winner === 'ask') {
    await deps.cache.putLocalWrite({ ...write, state: 'conflict' });
    await deps.cache.putConflict({
      key,
      calendarId: write.calendarId,
      eventId: write.eventId,
      writeKey: write.key,
      remote,
      detectedAt: deps.clock.now(),
    });
    return { status: 'conflict', conflictKey: key };
  }
  if (verdict.winner === 'remote') {
    if (remote && !remoteDeleted) await store(deps, write.calendarId, remote);
    else await deps.cache.applyChanges(write.calendarId, [], [write.eventId]);
    return { status: 'superseded', rule: verdict.rule };
  }
  // Local wins or merges: re-apply our change on top of Google's current version.
  if (write.op === 'update' && remoteDeleted) {
    if (remote === null) return { status: 'superseded', rule: verdict.rule };
    return pushOnce(deps, { ...write, body: { ...write.body, status: 'confirmed' } }, remote.etag);
  }
  if (write.op === 'delete' && remoteDeleted) {
    await deps.cache.applyChanges(write.calendarId, [], [write.eventId]);
    return { status: 'applied' };
  }
  return pushOnce(deps, write, remote?.etag);
}

const COMPARED = [
  'summary',
  'description',
  'location',
  'start',
  'end',
  'attendees',
  'status',
  'transparency',
  'recurrence',
];

function changedFields(base: GEvent | undefined, now: GEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COMPARED) {
    const before = (base as Record<string, unknown> | undefined)?.[k];
    const after = (now as Record<string, unknown>)[k];
    if (JSON.stringify(before) !== JSON.stringify(after)) out[k] = after;
  }
  return out;
}

async function store(deps: WriteDeps, calendarId: string, e: GEvent): Promise<CachedEvent> {
  const state = await deps.cache.getSyncState(calendarId);
  const cached = toCached(calendarId, e, state?.timeZone ?? 'UTC', state?.generation ?? 0);
  await deps.cache.applyChanges(calendarId, [cached], []);
  return cached;
}
