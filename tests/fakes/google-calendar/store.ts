import { Temporal } from 'temporal-polyfill';
import { HttpError } from './errors';
import {
  expand,
  instantOf,
  parseRecurrence,
  RecurrenceError,
  type EventTime,
  type Occurrence,
} from './recurrence';

export type EventJson = Record<string, any>;

interface StoredEvent {
  resource: EventJson;
  /** Calendar-wide modification counter at the last change; sync tokens compare against it. */
  seq: number;
}

interface Tombstone {
  seq: number;
  resource: EventJson;
}

export interface FakeCalendar {
  id: string;
  summary: string;
  timeZone: string;
  primary: boolean;
  accessRole: 'owner' | 'writer' | 'reader' | 'freeBusyReader';
  seq: number;
  /** Bumped to make every sync token issued before it stale (410). */
  generation: number;
  events: Map<string, StoredEvent>;
  /** Instances that vanished when their series changed or was deleted, reported as cancelled in sync. */
  tombstones: Map<string, Tombstone>;
}

export interface ListQuery {
  singleEvents: boolean;
  showDeleted: boolean;
  timeMin?: number;
  timeMax?: number;
  syncToken?: string;
}

interface SyncTokenBody {
  c: string;
  s: number;
  g: number;
  tmin?: number;
  tmax?: number;
  se: boolean;
}

const ID_RE = /^[a-v0-9]{5,1024}$/;
/** How far past "now" an unbounded series is expanded when no timeMax bounds it. */
const UNBOUNDED_HORIZON_MS = 366 * 24 * 3600_000;
const INSTANCE_CAP = 1000;

export const OWNER_EMAIL = 'test.user@example.com';

/**
 * The Google accounts several fakes know of, as Google knows every account: an event inserted in one
 * account's calendar with an attendee whose e-mail is another account's puts a copy of it in that
 * account's primary calendar (same event id and iCalUID, the attendee's responseStatus `needsAction`,
 * the organizer's private extended properties left out), whatever `sendUpdates` says (that only decides
 * whether e-mails go out). The organizer's later moves, edits and deletion reach the copies; an
 * attendee's answer (its own responseStatus) reaches the organizer's event.
 */
export class GoogleDirectory {
  readonly accounts = new Map<string, FakeStore>();

  register(email: string, store: FakeStore): void {
    this.accounts.set(email.toLowerCase(), store);
  }

  account(email: string | undefined): FakeStore | undefined {
    return email === undefined ? undefined : this.accounts.get(email.toLowerCase());
  }
}

export class FakeStore {
  readonly calendars = new Map<string, FakeCalendar>();
  /** The invitation e-mails Google would have sent (sendUpdates all/externalOnly on an insert). */
  readonly invitationsSent: { to: string; iCalUID: string }[] = [];
  private lastNow = 0;
  private idCounter = 0;
  private etagCounter = 1_000_000;

  constructor(
    private readonly clock: () => number,
    readonly account: string = OWNER_EMAIL,
    private readonly directory?: GoogleDirectory,
  ) {
    this.addCalendar({ id: account, summary: account, primary: true });
    directory?.register(account, this);
  }

  /** Strictly increasing, so `updated` orders every change even within one millisecond. */
  now(): number {
    const t = Math.max(this.clock(), this.lastNow + 1);
    this.lastNow = t;
    return t;
  }

  addCalendar(input: {
    id: string;
    summary?: string;
    timeZone?: string;
    primary?: boolean;
    accessRole?: FakeCalendar['accessRole'];
  }): FakeCalendar {
    const cal: FakeCalendar = {
      id: input.id,
      summary: input.summary ?? input.id,
      timeZone: input.timeZone ?? 'America/Chicago',
      primary: input.primary ?? false,
      accessRole: input.accessRole ?? 'owner',
      seq: 0,
      generation: 0,
      events: new Map(),
      tombstones: new Map(),
    };
    this.calendars.set(cal.id, cal);
    return cal;
  }

  calendar(id: string): FakeCalendar {
    const resolved =
      id === 'primary' ? [...this.calendars.values()].find((c) => c.primary) : this.calendars.get(id);
    if (!resolved) throw new HttpError(404, 'notFound');
    return resolved;
  }

  expireSyncTokens(calendarId: string): void {
    this.calendar(calendarId).generation++;
  }

  // ---------------------------------------------------------------- writes

  insert(
    calendarId: string,
    body: EventJson,
    opts: { conferenceDataVersion?: number; sendUpdates?: string } = {},
  ): EventJson {
    const cal = this.calendar(calendarId);
    let id: string;
    if (body.id !== undefined) {
      if (typeof body.id !== 'string' || !ID_RE.test(body.id))
        throw new HttpError(400, 'invalid', 'Invalid resource id value.');
      id = body.id;
      if (cal.events.has(id) || cal.tombstones.has(id)) throw new HttpError(409, 'duplicate');
    } else {
      id = this.newId();
    }
    this.validateTimes(body, cal);
    const now = iso(this.now());
    const resource: EventJson = {
      kind: 'calendar#event',
      etag: this.etag(),
      id,
      status: body.status ?? 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${cal.id}`).toString('base64url')}`,
      created: now,
      updated: now,
      ...strip(body, ['kind', 'etag', 'id', 'status', 'htmlLink', 'created', 'updated', 'conferenceData']),
      creator: body.creator ?? { email: this.account, self: true },
      organizer: body.organizer ?? { email: cal.id, self: true },
      iCalUID: body.iCalUID ?? `${id}@google.com`,
      sequence: 0,
      reminders: body.reminders ?? { useDefault: true },
      eventType: body.eventType ?? 'default',
    };
    applyConference(resource, body, opts.conferenceDataVersion ?? 0);
    if (resource.recurringEventId !== undefined)
      throw new HttpError(400, 'invalid', 'Use the instance id to change an instance.');
    this.mutate(cal, id, () => resource);
    this.invite(cal, resource, opts.sendUpdates);
    return resource;
  }

  /** Google's side of an invitation: a copy in each invited account's primary calendar. */
  private invite(cal: FakeCalendar, event: EventJson, sendUpdates: string | undefined): void {
    if (event.organizer?.self !== true || !Array.isArray(event.attendees)) return;
    for (const attendee of event.attendees as EventJson[]) {
      const email = typeof attendee.email === 'string' ? attendee.email : undefined;
      if (email === undefined || email.toLowerCase() === cal.id.toLowerCase()) continue;
      if (sendUpdates === 'all' || sendUpdates === 'externalOnly')
        this.invitationsSent.push({ to: email, iCalUID: event.iCalUID });
      const other = this.directory?.account(email);
      if (!other || other === this) continue;
      other.receiveInvitation(event, email);
    }
  }

  /** The copy an invitation puts in this account's primary calendar (or its update, or its end). */
  receiveInvitation(organizers: EventJson, email: string): void {
    const cal = this.calendar('primary');
    const existing = cal.events.get(organizers.id)?.resource;
    const { extendedProperties, ...rest } = strip(organizers, ['etag', 'updated']);
    const shared = (extendedProperties as EventJson | undefined)?.shared;
    const mine = (existing?.attendees as EventJson[] | undefined)?.find((a) => a.self === true);
    const copy: EventJson = {
      ...rest,
      etag: this.etag(),
      updated: iso(this.now()),
      organizer: { email: organizers.organizer?.email ?? organizers.creator?.email },
      creator: { email: organizers.creator?.email },
      ...(shared && { extendedProperties: { shared } }),
      attendees: (organizers.attendees as EventJson[]).map((a) => {
        const { self: _self, ...plain } = a;
        if (typeof a.email !== 'string' || a.email.toLowerCase() !== email.toLowerCase()) return plain;
        return { ...plain, self: true, responseStatus: mine?.responseStatus ?? 'needsAction' };
      }),
    };
    this.mutate(cal, organizers.id, () => copy);
  }

  /** An attendee answered: its responseStatus on the organizer's event. */
  private answer(copy: EventJson): void {
    const me = (copy.attendees as EventJson[] | undefined)?.find((a) => a.self === true);
    const organizer = this.directory?.account(copy.organizer?.email);
    if (!me || !organizer || organizer === this) return;
    const cal = organizer.calendar('primary');
    const theirs = cal.events.get(copy.id)?.resource;
    if (!theirs || !Array.isArray(theirs.attendees)) return;
    const next = {
      ...theirs,
      etag: organizer.etag(),
      updated: iso(organizer.now()),
      attendees: (theirs.attendees as EventJson[]).map((a) =>
        typeof a.email === 'string' && a.email.toLowerCase() === String(me.email).toLowerCase()
          ? { ...a, responseStatus: me.responseStatus }
          : a,
      ),
    };
    organizer.mutate(cal, copy.id, () => next);
  }

  get(calendarId: string, eventId: string): EventJson {
    const found = this.find(this.calendar(calendarId), eventId);
    if (!found) throw new HttpError(404, 'notFound');
    return found;
  }

  private find(cal: FakeCalendar, eventId: string): EventJson | undefined {
    return (
      cal.events.get(eventId)?.resource ??
      cal.tombstones.get(eventId)?.resource ??
      this.generatedInstance(cal, eventId)
    );
  }

  patch(
    calendarId: string,
    eventId: string,
    body: EventJson,
    opts: { ifMatch?: string; conferenceDataVersion?: number } = {},
  ): EventJson {
    const cal = this.calendar(calendarId);
    const current = this.get(cal.id, eventId);
    if (opts.ifMatch !== undefined && opts.ifMatch !== '*' && opts.ifMatch !== current.etag) {
      throw new HttpError(412, 'conditionNotMet');
    }
    const next: EventJson = {
      ...current,
      ...strip(body, [
        'kind',
        'etag',
        'id',
        'htmlLink',
        'created',
        'updated',
        'iCalUID',
        'recurringEventId',
        'originalStartTime',
        'conferenceData',
      ]),
    };
    if (body.extendedProperties) {
      next.extendedProperties = {
        private: { ...current.extendedProperties?.private, ...body.extendedProperties.private },
        shared: { ...current.extendedProperties?.shared, ...body.extendedProperties.shared },
      };
    }
    applyConference(next, body, opts.conferenceDataVersion ?? 0);
    if (next.status === 'cancelled' && current.status !== 'cancelled')
      return this.delete(cal.id, eventId, {});
    this.validateTimes(next, cal);
    const timing = ['start', 'end', 'recurrence'].some((k) => k in body);
    next.sequence = (current.sequence ?? 0) + (timing ? 1 : 0);
    next.etag = this.etag();
    next.updated = iso(this.now());
    this.mutate(cal, eventId, () => next);
    if (next.organizer?.self === true) this.invite(cal, next, undefined);
    else if ('attendees' in body) this.answer(next);
    return next;
  }

  delete(calendarId: string, eventId: string, opts: { ifMatch?: string }): EventJson {
    const cal = this.calendar(calendarId);
    const current = this.get(cal.id, eventId);
    if (current.status === 'cancelled') throw new HttpError(410, 'deleted');
    if (opts.ifMatch !== undefined && opts.ifMatch !== '*' && opts.ifMatch !== current.etag) {
      throw new HttpError(412, 'conditionNotMet');
    }
    const next: EventJson = { ...current, status: 'cancelled', etag: this.etag(), updated: iso(this.now()) };
    this.mutate(cal, eventId, () => next);
    if (next.organizer?.self === true) this.invite(cal, next, undefined);
    return next;
  }

  /**
   * Applies one change and records, for the series it touches, every instance that stopped existing:
   * those are what an incremental `singleEvents=true` sync must report as cancelled.
   */
  private mutate(cal: FakeCalendar, eventId: string, change: () => EventJson): void {
    const prior = this.find(cal, eventId);
    const masterId: string | undefined = prior?.recurringEventId ?? (prior?.recurrence ? eventId : undefined);
    const before = masterId ? this.instanceIds(cal, masterId) : new Set<string>();
    const resource = change();
    cal.seq++;
    cal.events.set(eventId, { resource, seq: cal.seq });
    cal.tombstones.delete(eventId);
    const seriesId = masterId ?? (resource.recurrence ? eventId : undefined);
    if (!seriesId) return;
    const after = this.instanceIds(cal, seriesId);
    const master = cal.events.get(seriesId)?.resource;
    for (const id of before) {
      if (after.has(id)) continue;
      const old = cal.events.get(id)?.resource;
      cal.tombstones.set(id, {
        seq: cal.seq,
        resource: {
          kind: 'calendar#event',
          etag: this.etag(),
          id,
          status: 'cancelled',
          recurringEventId: seriesId,
          originalStartTime: old?.originalStartTime ?? this.originalStartFromId(id, master, cal),
        },
      });
    }
  }

  // ---------------------------------------------------------------- seeding as "another client"

  /** Writes an event exactly as another client (Google's web UI, a phone) would, for sync tests. */
  seedEvent(calendarId: string, body: EventJson): EventJson {
    return this.insert(calendarId, body, { conferenceDataVersion: 1 });
  }

  // ---------------------------------------------------------------- reads

  list(calendarId: string, q: ListQuery): { items: EventJson[]; syncToken: string } {
    const cal = this.calendar(calendarId);
    let items: EventJson[];
    let window: { tmin?: number; tmax?: number };
    if (q.syncToken !== undefined) {
      const token = decodeToken(q.syncToken);
      if (!token || token.c !== cal.id || token.g !== cal.generation || token.s > cal.seq) {
        throw new HttpError(410, 'fullSyncRequired');
      }
      window = {
        ...(token.tmin !== undefined && { tmin: token.tmin }),
        ...(token.tmax !== undefined && { tmax: token.tmax }),
      };
      items = q.singleEvents ? this.changedInstances(cal, token) : this.changedRaw(cal, token.s);
    } else {
      window = {
        ...(q.timeMin !== undefined && { tmin: q.timeMin }),
        ...(q.timeMax !== undefined && { tmax: q.timeMax }),
      };
      items = q.singleEvents ? this.fullInstances(cal, q) : this.fullRaw(cal, q);
    }
    const body: SyncTokenBody = { c: cal.id, s: cal.seq, g: cal.generation, se: q.singleEvents, ...window };
    return { items, syncToken: Buffer.from(JSON.stringify(body)).toString('base64url') };
  }

  private fullInstances(cal: FakeCalendar, q: ListQuery): EventJson[] {
    const out: { ms: number; e: EventJson }[] = [];
    const limit = q.timeMax ?? this.clock() + UNBOUNDED_HORIZON_MS;
    for (const { resource: e } of cal.events.values()) {
      if (e.recurringEventId !== undefined) continue;
      if (e.recurrence) {
        if (e.status === 'cancelled') continue;
        for (const inst of this.expandSeries(cal, e, limit)) {
          if (inst.e.status === 'cancelled' && !q.showDeleted) continue;
          if (overlaps(inst.startMs, inst.endMs, q.timeMin, q.timeMax))
            out.push({ ms: inst.startMs, e: inst.e });
        }
        continue;
      }
      if (e.status === 'cancelled' && !q.showDeleted) continue;
      const [s, en] = span(e, cal);
      if (overlaps(s, en, q.timeMin, q.timeMax))
        out.push({ ms: s, e: e.status === 'cancelled' ? minimal(e) : e });
    }
    return out.sort((a, b) => a.ms - b.ms || (a.e.id < b.e.id ? -1 : 1)).map((x) => x.e);
  }

  private fullRaw(cal: FakeCalendar, q: ListQuery): EventJson[] {
    const out: EventJson[] = [];
    for (const { resource: e } of cal.events.values()) {
      if (e.recurringEventId !== undefined) {
        const master = cal.events.get(e.recurringEventId)?.resource;
        if (master?.status === 'cancelled' && !q.showDeleted) continue;
        // Google keeps cancelled instances in a non-expanded listing so clients can subtract them.
        if (e.status === 'cancelled') {
          out.push(minimal(e));
          continue;
        }
      } else if (e.status === 'cancelled' && !q.showDeleted) continue;
      if (e.status === 'cancelled') {
        out.push(minimal(e));
        continue;
      }
      if (e.recurrence) {
        const first = this.expandSeries(cal, e, q.timeMax ?? this.clock() + UNBOUNDED_HORIZON_MS);
        if (first.some((i) => overlaps(i.startMs, i.endMs, q.timeMin, q.timeMax))) out.push(e);
        continue;
      }
      const [s, en] = span(e, cal);
      if (overlaps(s, en, q.timeMin, q.timeMax)) out.push(e);
    }
    return out;
  }

  private changedRaw(cal: FakeCalendar, since: number): EventJson[] {
    const out: EventJson[] = [];
    for (const { resource: e, seq } of cal.events.values()) {
      if (seq > since) out.push(e.status === 'cancelled' ? minimal(e) : e);
    }
    return out;
  }

  private changedInstances(cal: FakeCalendar, token: SyncTokenBody): EventJson[] {
    const out = new Map<string, EventJson>();
    const limit = token.tmax ?? this.clock() + UNBOUNDED_HORIZON_MS;
    for (const { resource: e, seq } of cal.events.values()) {
      if (seq <= token.s) continue;
      if (e.recurrence) {
        if (e.status === 'cancelled') continue; // its instances are tombstones
        for (const inst of this.expandSeries(cal, e, limit)) out.set(inst.e.id, inst.e);
      } else if (e.recurringEventId !== undefined) {
        const master = cal.events.get(e.recurringEventId)?.resource;
        if (!master || master.status === 'cancelled') continue;
        if (e.status === 'cancelled') out.set(e.id, minimal(e));
        else if (this.instanceIds(cal, e.recurringEventId).has(e.id)) out.set(e.id, e);
      } else {
        out.set(e.id, e.status === 'cancelled' ? minimal(e) : e);
      }
    }
    for (const [id, t] of cal.tombstones) if (t.seq > token.s && !out.has(id)) out.set(id, t.resource);
    return [...out.values()];
  }

  /** Instances of a series with exceptions applied; cancelled exceptions stay in, marked cancelled. */
  expandSeries(
    cal: FakeCalendar,
    master: EventJson,
    limitMs: number,
  ): { e: EventJson; startMs: number; endMs: number }[] {
    const occ = this.occurrences(cal, master, limitMs);
    return occ.map((o) => {
      const id = `${master.id}_${o.suffix}`;
      const exception = cal.events.get(id)?.resource;
      if (exception) {
        if (exception.status === 'cancelled')
          return { e: minimal(exception), startMs: o.startMs, endMs: o.endMs };
        const [s, en] = span(exception, cal);
        return { e: exception, startMs: s, endMs: en };
      }
      return { e: instanceOf(master, o), startMs: o.startMs, endMs: o.endMs };
    });
  }

  private occurrences(cal: FakeCalendar, master: EventJson, limitMs: number): Occurrence[] {
    return expand(
      master.start,
      master.end,
      master.recurrence,
      resolveZone(cal.timeZone),
      limitMs,
      INSTANCE_CAP,
    );
  }

  /** Ids of the live (not cancelled) instances of a series, over the unbounded horizon. */
  private instanceIds(cal: FakeCalendar, masterId: string): Set<string> {
    const master = cal.events.get(masterId)?.resource;
    if (!master || master.status === 'cancelled' || !master.recurrence) return new Set();
    return new Set(
      this.expandSeries(cal, master, this.clock() + UNBOUNDED_HORIZON_MS)
        .filter((i) => i.e.status !== 'cancelled')
        .map((i) => i.e.id as string),
    );
  }

  private generatedInstance(cal: FakeCalendar, eventId: string): EventJson | undefined {
    const cut = eventId.lastIndexOf('_');
    if (cut < 0) return undefined;
    const master = cal.events.get(eventId.slice(0, cut))?.resource;
    if (!master?.recurrence || master.status === 'cancelled') return undefined;
    const suffix = eventId.slice(cut + 1);
    const occ = this.occurrences(cal, master, this.clock() + UNBOUNDED_HORIZON_MS * 10).find(
      (o) => o.suffix === suffix,
    );
    return occ ? instanceOf(master, occ) : undefined;
  }

  private originalStartFromId(id: string, master: EventJson | undefined, cal: FakeCalendar): EventTime {
    const suffix = id.slice(id.lastIndexOf('_') + 1);
    if (/^\d{8}$/.test(suffix))
      return { date: `${suffix.slice(0, 4)}-${suffix.slice(4, 6)}-${suffix.slice(6)}` };
    const ms = Date.parse(
      `${suffix.slice(0, 4)}-${suffix.slice(4, 6)}-${suffix.slice(6, 8)}T${suffix.slice(9, 11)}:${suffix.slice(11, 13)}:${suffix.slice(13, 15)}Z`,
    );
    const zone = master?.start?.timeZone ?? cal.timeZone;
    return {
      dateTime: Temporal.Instant.fromEpochMilliseconds(ms)
        .toZonedDateTimeISO(zone)
        .toString({ timeZoneName: 'never' }),
      timeZone: zone,
    };
  }

  private validateTimes(e: EventJson, cal: FakeCalendar): void {
    if (!e.start || (!e.start.date && !e.start.dateTime))
      throw new HttpError(400, 'required', 'Missing start time.');
    if (!e.end || (!e.end.date && !e.end.dateTime)) throw new HttpError(400, 'required', 'Missing end time.');
    for (const t of [e.start, e.end]) {
      if (t.timeZone !== undefined && !validZone(resolveZone(t.timeZone)))
        throw new HttpError(400, 'invalid', 'Invalid time zone definition for start time.');
      if (t.dateTime !== undefined && Number.isNaN(Date.parse(t.dateTime)))
        throw new HttpError(400, 'invalid', 'Invalid start time.');
      // Google: "A time zone offset is required unless a time zone is explicitly specified in timeZone."
      if (
        t.dateTime !== undefined &&
        !/(?:[Zz]|[+-]\d{2}:\d{2})$/.test(t.dateTime) &&
        t.timeZone === undefined
      )
        throw new HttpError(400, 'required', 'Missing time zone definition for start time.');
    }
    const [s, en] = span(e, cal);
    if (!(en > s) && e.status !== 'cancelled') throw new HttpError(400, 'timeRangeEmpty', undefined, 'end');
    if (e.recurrence) {
      try {
        parseRecurrence(e.recurrence);
      } catch (err) {
        if (err instanceof RecurrenceError) throw new HttpError(400, 'invalid', 'Invalid recurrence rule.');
        throw err;
      }
    }
  }

  private newId(): string {
    this.idCounter++;
    return `fake${this.idCounter.toString(32).padStart(6, '0')}`;
  }

  etag(): string {
    this.etagCounter++;
    return `"${this.etagCounter}"`;
  }
}
function instanceOf(master: EventJson, o: Occurrence): EventJson {
  const { recurrence: _r, ...rest } = master;
  return {
    ...rest,
    id: `${master.id}_${o.suffix}`,
    start: o.start,
    end: o.end,
    recurringEventId: master.id,
    originalStartTime: o.start,
  };
}

/** The shape Google gives a deleted event in a sync: no content, just identity. */
function minimal(e: EventJson): EventJson {
  return {
    kind: 'calendar#event',
    etag: e.etag,
    id: e.id,
    status: 'cancelled',
    ...(e.recurringEventId !== undefined && {
      recurringEventId: e.recurringEventId,
      originalStartTime: e.originalStartTime,
    }),
  };
}

function span(e: EventJson, cal: FakeCalendar): [number, number] {
  return [timeMs(e.start, cal.timeZone), timeMs(e.end, cal.timeZone)];
}

/**
 * Zones Google's tz database has and this runtime's does not (Google updates first): name → a zone the
 * runtime knows with the same rules, used for the fake's own arithmetic. The event keeps the name.
 */
const ZONE_ALIASES = new Map<string, string>();

/** Lets the fake accept `name` as a time zone, computing with `sameAs` (see ZONE_ALIASES). */
export function addGoogleOnlyZone(name: string, sameAs: string): void {
  ZONE_ALIASES.set(name, sameAs);
}

const resolveZone = (zone: string) => ZONE_ALIASES.get(zone) ?? zone;

export function timeMs(t: EventTime, zone: string): number {
  return instantOf(
    t.timeZone !== undefined ? { ...t, timeZone: resolveZone(t.timeZone) } : t,
    resolveZone(zone),
  );
}

function overlaps(s: number, e: number, tmin: number | undefined, tmax: number | undefined): boolean {
  return (tmin === undefined || e > tmin) && (tmax === undefined || s < tmax);
}

function strip(o: EventJson, keys: string[]): EventJson {
  const out: EventJson = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function applyConference(target: EventJson, body: EventJson, version: number): void {
  if (version < 1 || !body.conferenceData) return;
  const req = body.conferenceData.createRequest;
  if (req?.conferenceSolutionKey?.type !== 'hangoutsMeet') {
    target.conferenceData = body.conferenceData;
    return;
  }
  const code = meetCode(String(req.requestId ?? target.id));
  target.hangoutLink = `https://meet.google.com/${code}`;
  target.conferenceData = {
    createRequest: {
      requestId: req.requestId,
      conferenceSolutionKey: { type: 'hangoutsMeet' },
      status: { statusCode: 'success' },
    },
    entryPoints: [
      { entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` },
    ],
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
    conferenceId: code,
  };
}

function meetCode(seed: string): string {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const letters = Array.from({ length: 10 }, (_, i) => String.fromCharCode(97 + ((h >>> (i * 3)) % 26)));
  return `${letters.slice(0, 3).join('')}-${letters.slice(3, 7).join('')}-${letters.slice(7).join('')}`;
}

function validZone(zone: string): boolean {
  try {
    Temporal.Now.zonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

function decodeToken(token: string): SyncTokenBody | undefined {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as SyncTokenBody;
    return typeof body.c === 'string' && typeof body.s === 'number' ? body : undefined;
  } catch {
    return undefined;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
