import type { CalendarErrorCode } from './errors';
import type { EventDateTime, GEvent } from './schemas';

/** One concrete occurrence we know about: a one-off event or one instance of a series. */
export interface CachedEvent {
  calendarId: string;
  id: string;
  etag?: string;
  status: 'confirmed' | 'tentative';
  start: EventDateTime;
  end: EventDateTime;
  startMs: number;
  endMs: number;
  allDay: boolean;
  /** Google's last-modified time (RFC 3339). */
  updated?: string;
  recurringEventId?: string;
  transparent: boolean;
  /** The person's own attendee entry says "declined". */
  declined: boolean;
  /** `agent` when Parley created it (our negotiation id is in its private extended properties). */
  origin: 'agent' | 'user';
  /** Full-sync generation that last saw it; used to infer deletions by diff. */
  generation: number;
  event: GEvent;
}

export interface SyncWindow {
  timeMin: string;
  timeMax: string;
}

export type CalendarHealth = 'ok' | 'degraded' | 'reconnect_required';

export interface SyncState {
  calendarId: string;
  /** Present once a full sync completed; absent while none has (or after a 410). */
  syncToken?: string;
  window: SyncWindow;
  /** The calendar's own zone, from events.list; all-day events are placed in it. */
  timeZone: string;
  generation: number;
  /** When the cache last matched Google (epoch ms). Kept through failures to show data age. */
  lastSyncedAt?: number;
  /** A full sync in progress: where to resume after a failure. */
  fullSync?: { generation: number; window: SyncWindow; pageToken?: string };
  health: CalendarHealth;
  lastErrorCode?: CalendarErrorCode;
  /** [ICS9] A calendar read from a secret address: the ETag of the text the cache holds. */
  etag?: string;
}

/** A change the agent or person made here, persisted before it is pushed to Google. */
export interface LocalWrite {
  key: string;
  calendarId: string;
  eventId: string;
  op: 'create' | 'update' | 'delete';
  body: Record<string, unknown>;
  origin: 'agent' | 'user';
  /** The etag and version the change was based on (update/delete), to tell what Google changed since. */
  baseEtag?: string;
  base?: GEvent;
  negotiationId?: string;
  /** Local clock (epoch ms) when the change was made. */
  madeAt: number;
  state: 'pending' | 'conflict';
  lastErrorCode?: CalendarErrorCode;
}

export interface ConflictRecord {
  /** `${calendarId}:${eventId}:${remoteEtag}`: a decision applies to this exact pair of versions. */
  key: string;
  calendarId: string;
  eventId: string;
  writeKey: string;
  remote: GEvent | null;
  detectedAt: number;
}

export interface ConflictDecision {
  key: string;
  choice: 'local' | 'remote';
  decidedAt: number;
}

/**
 * Storage for the calendar capability. The vault implements it for real; `MemoryCalendarCache` is
 * the reference. `applyChanges` must be atomic: events and the sync state that accounts for them
 * are written together, so a crash never leaves a sync token ahead of the events.
 */
export interface CalendarCache {
  getSyncState(calendarId: string): Promise<SyncState | undefined>;
  putSyncState(state: SyncState): Promise<void>;
  applyChanges(
    calendarId: string,
    upserts: CachedEvent[],
    removals: string[],
    state?: SyncState,
  ): Promise<void>;
  getEvent(calendarId: string, eventId: string): Promise<CachedEvent | undefined>;
  /** Events overlapping [fromMs, toMs) (all when no range), ordered by start. */
  listEvents(calendarId: string, range?: { fromMs: number; toMs: number }): Promise<CachedEvent[]>;
  /** Ids of events not seen by full-sync generation `generation`. */
  staleEventIds(calendarId: string, generation: number): Promise<string[]>;
  /** Ids of cached instances of a series. */
  instanceIds(calendarId: string, recurringEventId: string): Promise<string[]>;
  clearCalendar(calendarId: string): Promise<void>;

  getLocalWrite(key: string): Promise<LocalWrite | undefined>;
  putLocalWrite(write: LocalWrite): Promise<void>;
  deleteLocalWrite(key: string): Promise<void>;
  listLocalWrites(): Promise<LocalWrite[]>;

  putConflict(conflict: ConflictRecord): Promise<void>;
  deleteConflict(key: string): Promise<void>;
  listConflicts(): Promise<ConflictRecord[]>;
  getDecision(key: string): Promise<ConflictDecision | undefined>;
  putDecision(decision: ConflictDecision): Promise<void>;
}

export class MemoryCalendarCache implements CalendarCache {
  private readonly events = new Map<string, Map<string, CachedEvent>>();
  private readonly states = new Map<string, SyncState>();
  private readonly writes = new Map<string, LocalWrite>();
  private readonly conflicts = new Map<string, ConflictRecord>();
  private readonly decisions = new Map<string, ConflictDecision>();

  private bucket(calendarId: string): Map<string, CachedEvent> {
    let b = this.events.get(calendarId);
    if (!b) {
      b = new Map();
      this.events.set(calendarId, b);
    }
    return b;
  }

  getSyncState(calendarId: string): Promise<SyncState | undefined> {
    return Promise.resolve(clone(this.states.get(calendarId)));
  }

  putSyncState(state: SyncState): Promise<void> {
    this.states.set(state.calendarId, clone(state));
    return Promise.resolve();
  }

  applyChanges(
    calendarId: string,
    upserts: CachedEvent[],
    removals: string[],
    state?: SyncState,
  ): Promise<void> {
    const b = this.bucket(calendarId);
    for (const id of removals) b.delete(id);
    for (const e of upserts) b.set(e.id, e);
    if (state) this.states.set(calendarId, clone(state));
    return Promise.resolve();
  }

  getEvent(calendarId: string, eventId: string): Promise<CachedEvent | undefined> {
    return Promise.resolve(this.events.get(calendarId)?.get(eventId));
  }

  listEvents(calendarId: string, range?: { fromMs: number; toMs: number }): Promise<CachedEvent[]> {
    const all = [...(this.events.get(calendarId)?.values() ?? [])];
    const hit = range ? all.filter((e) => e.endMs > range.fromMs && e.startMs < range.toMs) : all;
    return Promise.resolve(hit.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1)));
  }

  staleEventIds(calendarId: string, generation: number): Promise<string[]> {
    const out: string[] = [];
    for (const e of this.events.get(calendarId)?.values() ?? [])
      if (e.generation !== generation) out.push(e.id);
    return Promise.resolve(out);
  }

  instanceIds(calendarId: string, recurringEventId: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of this.events.get(calendarId)?.values() ?? [])
      if (e.recurringEventId === recurringEventId) out.push(e.id);
    return Promise.resolve(out);
  }

  clearCalendar(calendarId: string): Promise<void> {
    this.events.delete(calendarId);
    this.states.delete(calendarId);
    return Promise.resolve();
  }

  getLocalWrite(key: string): Promise<LocalWrite | undefined> {
    return Promise.resolve(clone(this.writes.get(key)));
  }
  putLocalWrite(write: LocalWrite): Promise<void> {
    this.writes.set(write.key, clone(write));
    return Promise.resolve();
  }
  deleteLocalWrite(key: string): Promise<void> {
    this.writes.delete(key);
    return Promise.resolve();
  }
  listLocalWrites(): Promise<LocalWrite[]> {
    return Promise.resolve([...this.writes.values()].map((w) => clone(w)));
  }
  putConflict(conflict: ConflictRecord): Promise<void> {
    this.conflicts.set(conflict.key, clone(conflict));
    return Promise.resolve();
  }
  deleteConflict(key: string): Promise<void> {
    this.conflicts.delete(key);
    return Promise.resolve();
  }
  listConflicts(): Promise<ConflictRecord[]> {
    return Promise.resolve([...this.conflicts.values()].map((c) => clone(c)));
  }
  getDecision(key: string): Promise<ConflictDecision | undefined> {
    return Promise.resolve(clone(this.decisions.get(key)));
  }
  putDecision(decision: ConflictDecision): Promise<void> {
    this.decisions.set(decision.key, clone(decision));
    return Promise.resolve();
  }
}

/** Copies on the way in and out, so callers cannot mutate what is "stored" (as a real store would). */
function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
