import { CalendarClient } from './client';
import type { CachedEvent, CalendarCache } from './cache';
import { systemClock, type Clock } from './clock';
import { CalendarError, calendarErrorMessage, isCalendarError } from './errors';
import type { GoogleOAuth } from './oauth';
import { ICS_LIMITS, type IcsLimits } from './ics';
import { meetingInvitation } from './ics-invitation';
import { icsAddress, refreshIcsSubscription, storeIcs, type IcsSyncDeps } from './ics-sync';
import type { GEvent } from './schemas';
import { calendarStatus, syncCalendar } from './sync';
import { instantRange } from './time';
import { createEvent, deleteEvent, eventIdForNegotiation, updateEvent } from './writes';
import { PARLEY_NEGOTIATION_KEY } from './sync';
import { createLogger, errorFields } from '../log';

const log = createLogger('calendar');

/**
 * [ICS11] Meetings booked without Google: kept in the cache (encrypted like every event) so they count as
 * busy, show in the agenda, and become an .ics invitation the person adds to their own calendar.
 */
export const LOCAL_BOOKINGS = 'parley:bookings';

/** Busy time as scheduling needs it: times and status only, never titles (src/scheduling CalendarSnapshot). */
export interface BusySnapshot {
  events: (
    | {
        kind: 'timed';
        id: string;
        calendarId: string;
        status: 'busy' | 'tentative' | 'free';
        declined: boolean;
        start: number;
        end: number;
      }
    | {
        kind: 'allDay';
        id: string;
        calendarId: string;
        status: 'busy' | 'tentative' | 'free';
        declined: boolean;
        startDate: string;
        endDate: string;
      }
  )[];
  calendars: { calendarId: string; known: { start: number; end: number }[] }[];
}

export interface CalendarChoice {
  id: string;
  summary: string;
  primary: boolean;
  selected: boolean;
  /**
   * [ICS5] A calendar read from iCalendar instead of Google: an imported file, or a secret address
   * (a secret like a token: it stays in the vault and never reaches a view or a log).
   */
  ics?: { kind: 'file' } | { kind: 'url'; url: string };
}

/** Where a calendar's events come from, as the UI shows it (never the secret address itself). */
export type CalendarSource = 'google' | 'file' | 'url';

/** What the UI shows about the person's calendars. */
export interface AgendaItem {
  start: number;
  end: number;
  allDay: boolean;
  title: string;
  /** Booked by Parley. */
  byParley: boolean;
}

export interface CalendarOverview {
  /** Google Calendar is connected. */
  connected: boolean;
  /** [ICS10] Google sign-in has an OAuth client id (this build's or the settings'). */
  googleConfigured: boolean;
  syncing: boolean;
  /** While a sync runs: events and pages received so far. */
  progress?: { events: number; pages: number };
  calendars: (Omit<CalendarChoice, 'ics'> & {
    source: CalendarSource;
    events: number;
    state: 'never_synced' | 'ok' | 'degraded' | 'reconnect_required';
    /** The last good sync; for a degraded calendar, how old what the agent knows is. */
    lastSyncedAt?: number;
    reason?: string;
    /** [SYN11] For a degraded or disconnected calendar: what happened and what to do, for the person. */
    message?: string;
  })[];
  /** Events in the selected calendars, and when the oldest of them last synced. */
  events: number;
  lastSyncedAt?: number;
  error?: { code: string; message: string };
}

export interface CalendarServiceDeps {
  oauth: GoogleOAuth;
  cache: CalendarCache & { countEvents(calendarId: string): Promise<number> };
  apiBaseUrl: () => string;
  loadChoices(): Promise<CalendarChoice[] | undefined>;
  saveChoices(choices: CalendarChoice[]): Promise<void>;
  onChange(): void;
  clock?: Clock;
  /**
   * [CAL8] How old a calendar's last good sync may be for `busy()` to count it as known. Default 30
   * minutes: two of the 15-minute sync alarms (SYN10).
   */
  maxBusyAgeMs?: number;
  /** The agent's session: once it aborts (locked), no sync starts and a running one stops. */
  signal?: AbortSignal;
  /** [ICS2] The person's zone: floating times and all-day dates of an iCalendar file that names none. */
  defaultZone?: () => string;
  /** Fetch for secret addresses (tests: a local server). */
  icsFetch?: typeof fetch;
  icsLimits?: Partial<IcsLimits>;
  /**
   * [ICS7] How old an imported file may be for `busy()` to count it as known. Default 7 days: a file is
   * a snapshot, and nothing says what changed since.
   */
  maxImportAgeMs?: number;
}

/**
 * The person's Google Calendar, as the agent knows it: which calendars count,
 * their cached events (on the vault), and keeping them in sync — every 15
 * minutes, on demand, and after the agent writes.
 */
/** A negotiated meeting to put in the person's calendar (CAL4, ICS11). */
export interface MeetingToBook {
  negotiationId: string;
  title: string;
  start: number;
  end: number;
  timeZone: string;
  /** [ATT1] The organizer's event: who it is with and that Parley arranged it. */
  description?: string;
  /** [ATT2] The organizer's guests: the contacts that shared an e-mail address in their signed card. */
  attendees?: { email: string; displayName?: string }[];
  /** [ADP1] An invitee's booking: the organizer's iCalUID from the confirmation, to adopt its invitation. */
  adoptICalUID?: string;
}

/** What a booking put (or found) in the calendar. */
export interface BookedMeeting {
  eventId: string;
  iCalUID?: string;
  /** ADP1: the organizer's invitation was found and kept instead of booking a copy. */
  adopted?: boolean;
}

export class CalendarService {
  readonly #clock: Clock;
  #syncing: Promise<void> | undefined;
  #progress: { events: number; pages: number } | undefined;
  #lastError: { code: string; message: string } | undefined;

  constructor(private readonly deps: CalendarServiceDeps) {
    this.#clock = deps.clock ?? systemClock;
  }

  get client(): CalendarClient {
    return new CalendarClient({
      baseUrl: this.deps.apiBaseUrl(),
      tokens: this.deps.oauth,
      clock: this.#clock,
    });
  }

  /** [CAL1] Sign in, list the calendars (the primary one counts by default), and sync. */
  async connect(): Promise<CalendarOverview> {
    await this.deps.oauth.connect();
    const listed = await this.client.listCalendars();
    const saved = (await this.deps.loadChoices()) ?? [];
    const previous = new Map(saved.map((c) => [c.id, c.selected]));
    await this.deps.saveChoices([
      ...listed.map((c) => ({
        id: c.id,
        summary: c.summaryOverride ?? c.summary ?? c.id,
        primary: c.primary === true,
        selected: previous.get(c.id) ?? c.primary === true,
      })),
      // Calendars read from iCalendar are not Google's to list: they stay.
      ...saved.filter((c) => c.ics),
    ]);
    this.deps.onChange();
    await this.sync();
    return this.overview();
  }

  async disconnect(): Promise<CalendarOverview> {
    await this.deps.oauth.disconnect();
    const choices = (await this.deps.loadChoices()) ?? [];
    for (const choice of choices) if (!choice.ics) await this.deps.cache.clearCalendar(choice.id);
    await this.deps.saveChoices(choices.filter((c) => c.ics));
    this.deps.onChange();
    return this.overview();
  }

  async select(calendarId: string, selected: boolean): Promise<CalendarOverview> {
    const choices = (await this.deps.loadChoices()) ?? [];
    await this.deps.saveChoices(choices.map((c) => (c.id === calendarId ? { ...c, selected } : c)));
    if (selected) await this.sync();
    this.deps.onChange();
    return this.overview();
  }

  /** Syncs every selected calendar; concurrent calls share one run. */
  sync(): Promise<void> {
    if (this.deps.signal?.aborted) return Promise.resolve();
    this.#syncing ??= this.#syncAll().finally(() => {
      this.#syncing = undefined;
      this.#progress = undefined;
      this.deps.onChange();
    });
    return this.#syncing;
  }

  async #syncAll(): Promise<void> {
    const google = await this.deps.oauth.isConnected();
    const deps = { client: this.client, cache: this.deps.cache, clock: this.#clock };
    this.#lastError = undefined;
    for (const choice of (await this.deps.loadChoices()) ?? []) {
      if (!choice.selected) continue;
      // An imported file changes only when the person imports it again.
      if (choice.ics?.kind === 'file' || (!choice.ics && !google)) continue;
      if (this.deps.signal?.aborted) return; // locked: what synced so far is kept
      try {
        if (choice.ics?.kind === 'url') {
          // [ICS8] Polled with the Google calendars, on the same alarm (SYN10).
          await refreshIcsSubscription(this.#icsDeps(), choice.id, choice.ics.url, this.deps.signal);
          continue;
        }
        await syncCalendar(deps, choice.id, {
          ...(this.deps.signal && { signal: this.deps.signal }),
          onProgress: (p) => {
            this.#progress = { events: p.events, pages: p.pages };
            this.deps.onChange();
          },
        });
      } catch (error) {
        // The calendar's sync state records the failure (SYN11): it is degraded, known nowhere (CAL3), and
        // the overview shows it with its last good sync. `unexpected` (or anything untyped) is a bug.
        if (isCalendarError(error) && error.code !== 'unexpected')
          log.warn('sync_failed', errorFields(error));
        else
          log.error('sync_crashed', {
            ...errorFields(error),
            cause: errorFields(error instanceof Error ? error.cause : undefined).error,
          });
        this.#lastError = isCalendarError(error)
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: 'The calendar sync failed unexpectedly.' };
      }
    }
  }

  /**
   * [CAL3] The selected calendars' busy times in a range. A calendar that never
   * synced, or whose last sync failed, is known nowhere: scheduling then treats it
   * as unknown, never as free. [CAL8] So is one whose last good sync is too old.
   */
  async busy(range: { start: number; end: number }): Promise<BusySnapshot> {
    const snapshot: BusySnapshot = { events: [], calendars: [] };
    const now = this.#clock.now();
    for (const choice of (await this.deps.loadChoices()) ?? []) {
      if (!choice.selected) continue;
      const maxAge =
        choice.ics?.kind === 'file'
          ? (this.deps.maxImportAgeMs ?? 7 * 86_400_000)
          : (this.deps.maxBusyAgeMs ?? 30 * 60_000);
      const state = await this.deps.cache.getSyncState(choice.id);
      const known =
        state &&
        state.health === 'ok' &&
        state.lastSyncedAt !== undefined &&
        now - state.lastSyncedAt <= maxAge
          ? [{ start: Date.parse(state.window.timeMin), end: Date.parse(state.window.timeMax) }]
          : [];
      let events: CachedEvent[];
      try {
        events = await this.deps.cache.listEvents(choice.id, { fromMs: range.start, toMs: range.end });
      } catch (error) {
        if (!isCalendarError(error, 'cache_damaged')) throw error;
        // [DPG8] The cache dropped this calendar for a full resync (and logged it): known nowhere until
        // then, never free; the other calendars still count.
        snapshot.calendars.push({ calendarId: choice.id, known: [] });
        continue;
      }
      snapshot.calendars.push({ calendarId: choice.id, known });
      for (const e of events) {
        const status = e.transparent ? 'free' : e.status === 'tentative' ? 'tentative' : 'busy';
        const base = { id: e.id, calendarId: choice.id, status, declined: e.declined } as const;
        if (e.allDay && e.start.date && e.end.date) {
          snapshot.events.push({ ...base, kind: 'allDay', startDate: e.start.date, endDate: e.end.date });
        } else {
          snapshot.events.push({ ...base, kind: 'timed', start: e.startMs, end: e.endMs });
        }
      }
    }
    // [ICS11] Meetings booked without Google are busy, whatever calendars are chosen.
    for (const e of await this.deps.cache.listEvents(LOCAL_BOOKINGS, {
      fromMs: range.start,
      toMs: range.end,
    }))
      snapshot.events.push({
        kind: 'timed',
        id: e.id,
        calendarId: LOCAL_BOOKINGS,
        status: 'busy',
        declined: false,
        start: e.startMs,
        end: e.endMs,
      });
    return snapshot;
  }

  /**
   * [CAL4] Books a negotiated meeting on the person's primary (or first selected)
   * calendar with the id derived from the negotiation id: a retry, or the copy an
   * invitation already put there, is recognised instead of duplicated.
   */
  async book(input: MeetingToBook): Promise<string> {
    return (await this.bookMeeting(input)).eventId;
  }

  /** CAL4 with what the booking produced: the event's iCalUID, and whether an invitation was adopted. */
  async bookMeeting(input: MeetingToBook): Promise<BookedMeeting> {
    const choices = ((await this.deps.loadChoices()) ?? []).filter((c) => c.selected && !c.ics);
    const target = choices.find((c) => c.primary) ?? choices[0];
    // [ICS11] No Google calendar to write to: the meeting is kept here and offered as an .ics invitation.
    if (!target || !(await this.deps.oauth.isConnected())) return { eventId: await this.#bookLocally(input) };
    const deps = { client: this.client, cache: this.deps.cache, clock: this.#clock };
    if (input.adoptICalUID !== undefined) {
      const adopted = await this.#adopt(target.id, input.adoptICalUID, input);
      if (adopted) {
        await this.#dropLocal(await eventIdForNegotiation(input.negotiationId));
        this.deps.onChange();
        return adopted;
      }
    }
    // [CAL5] Already booked (a retry, or a rescheduled meeting): move the event instead of creating another.
    // Asked of Google, not the cache, which may not have seen our own write yet.
    const eventId = await eventIdForNegotiation(input.negotiationId);
    let existing: GEvent | undefined;
    try {
      existing = await this.client.getEvent(target.id, eventId);
    } catch (error) {
      // Not there yet: a first booking, created below. Anything else stops the booking.
      if (!isCalendarError(error, 'not_found')) throw error;
    }
    if (existing && existing.status !== 'cancelled') {
      const zone = (await this.deps.cache.getSyncState(target.id))?.timeZone ?? input.timeZone;
      if (!sameTimes(existing, zone, input)) {
        await updateEvent(deps, {
          calendarId: target.id,
          eventId,
          origin: 'agent',
          changes: {
            start: { dateTime: new Date(input.start).toISOString(), timeZone: input.timeZone },
            end: { dateTime: new Date(input.end).toISOString(), timeZone: input.timeZone },
          },
        });
        this.deps.onChange();
      }
      await this.#dropLocal(eventId);
      return { eventId, ...(existing.iCalUID !== undefined && { iCalUID: existing.iCalUID }) };
    }
    const event = await createEvent(deps, {
      calendarId: target.id,
      negotiationId: input.negotiationId,
      summary: input.title,
      ...(input.description !== undefined && { description: input.description }),
      start: { dateTime: new Date(input.start).toISOString(), timeZone: input.timeZone },
      end: { dateTime: new Date(input.end).toISOString(), timeZone: input.timeZone },
      // ATT2: with guests, the insert says sendUpdates=all (WRT4): Google sends the invitations.
      ...(input.attendees && input.attendees.length > 0 && { attendees: input.attendees }),
    });
    await this.#dropLocal(eventId);
    this.deps.onChange();
    return { eventId: event.id, ...(event.event.iCalUID !== undefined && { iCalUID: event.event.iCalUID }) };
  }

  /**
   * [ADP1] The organizer's invitation, found by its iCalUID (events.list?iCalUID=…) in the calendar the
   * booking would write to, and kept as this meeting's event: the person's answer is set to accepted
   * (their decision to accept covers it) unless it already is. Only an event someone else organizes, at
   * exactly the negotiated times, is adopted; anything else means no invitation arrived (the contact
   * shared no address, or Google has not delivered it) and the invitee books its own copy.
   */
  async #adopt(calendarId: string, iCalUID: string, input: MeetingToBook): Promise<BookedMeeting | null> {
    const page = await this.client.listEvents(calendarId, { iCalUID, showDeleted: false, maxResults: 10 });
    const zone = page.timeZone ?? input.timeZone;
    const invitation = page.items.find(
      (e) =>
        e.iCalUID === iCalUID &&
        e.status !== 'cancelled' &&
        e.organizer?.self !== true &&
        sameTimes(e, zone, input),
    );
    if (!invitation) return null;
    const me = invitation.attendees?.find((a) => a.self === true);
    if (me && me.responseStatus !== 'accepted') {
      await updateEvent(
        { client: this.client, cache: this.deps.cache, clock: this.#clock },
        {
          calendarId,
          eventId: invitation.id,
          origin: 'agent',
          changes: {
            attendees: (invitation.attendees ?? []).map((a) =>
              a.self === true ? { ...a, responseStatus: 'accepted' } : a,
            ),
          },
        },
      );
    }
    return { eventId: invitation.id, iCalUID, adopted: true };
  }

  /** A meeting kept here before Google was connected now lives on Google: one copy, not two. */
  async #dropLocal(eventId: string): Promise<void> {
    if (await this.deps.cache.getEvent(LOCAL_BOOKINGS, eventId))
      await this.deps.cache.applyChanges(LOCAL_BOOKINGS, [], [eventId]);
  }

  async #bookLocally(input: MeetingToBook): Promise<string> {
    const id = await eventIdForNegotiation(input.negotiationId);
    const start = { dateTime: new Date(input.start).toISOString(), timeZone: input.timeZone };
    const end = { dateTime: new Date(input.end).toISOString(), timeZone: input.timeZone };
    const now = this.#clock.now();
    await this.deps.cache.applyChanges(
      LOCAL_BOOKINGS,
      [
        {
          calendarId: LOCAL_BOOKINGS,
          id,
          status: 'confirmed',
          start,
          end,
          startMs: input.start,
          endMs: input.end,
          allDay: false,
          updated: new Date(now).toISOString(),
          transparent: false,
          declined: false,
          origin: 'agent',
          generation: 0,
          event: {
            id,
            summary: input.title,
            start,
            end,
            updated: new Date(now).toISOString(),
            extendedProperties: { private: { [PARLEY_NEGOTIATION_KEY]: input.negotiationId } },
          },
        },
      ],
      [],
    );
    this.deps.onChange();
    return id;
  }

  /** [ICS11] The .ics file of a meeting Parley booked (without Google: the only copy outside Parley). */
  async invitation(negotiationId: string): Promise<{ filename: string; text: string }> {
    const eventId = await eventIdForNegotiation(negotiationId);
    const ids = [LOCAL_BOOKINGS, ...((await this.deps.loadChoices()) ?? []).map((c) => c.id)];
    for (const calendarId of ids) {
      const e = await this.deps.cache.getEvent(calendarId, eventId);
      if (!e || e.origin !== 'agent') continue;
      const title = (e.event.summary ?? '').trim() || 'Meeting';
      return {
        filename: `${
          title
            .replace(/[^\p{L}\p{N} _-]+/gu, '')
            .trim()
            .slice(0, 60) || 'meeting'
        }.ics`,
        text: meetingInvitation({
          eventId,
          title,
          start: e.startMs,
          end: e.endMs,
          changedAt: e.updated ? Date.parse(e.updated) : this.#clock.now(),
        }),
      };
    }
    throw new CalendarError('not_found', 'This meeting is not booked (any more).');
  }

  async cancelBooking(negotiationId: string): Promise<void> {
    const eventId = await eventIdForNegotiation(negotiationId);
    await this.#dropLocal(eventId);
    for (const choice of (await this.deps.loadChoices()) ?? []) {
      if (choice.ics) continue; // Parley writes only to Google
      if (await this.deps.cache.getEvent(choice.id, eventId)) {
        await deleteEvent(
          { client: this.client, cache: this.deps.cache, clock: this.#clock },
          { calendarId: choice.id, eventId, origin: 'agent' },
        );
      }
    }
    this.deps.onChange();
  }

  /**
   * [CAL7] The person's own agenda in a range, from the local cache (no request to Google): what
   * "what's on tomorrow?" shows. Titles are the person's own data, shown to them only — never sent to a
   * model or a peer. Cancelled, declined and free events are left out.
   */
  async agenda(range: { start: number; end: number }): Promise<AgendaItem[]> {
    const items: AgendaItem[] = [];
    const calendars = ((await this.deps.loadChoices()) ?? []).filter((c) => c.selected).map((c) => c.id);
    for (const calendarId of [...calendars, LOCAL_BOOKINGS]) {
      for (const e of await this.deps.cache.listEvents(calendarId, {
        fromMs: range.start,
        toMs: range.end,
      })) {
        if (e.declined || e.transparent) continue;
        items.push({
          start: e.startMs,
          end: e.endMs,
          allDay: e.allDay,
          title: (e.event.summary ?? '').trim().slice(0, 200) || '(no title)',
          byParley: e.origin === 'agent',
        });
      }
    }
    return items.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /**
   * [ICS5] Imports an iCalendar file as a calendar of its own (or replaces the events of one imported
   * before). The text is checked whole before anything is stored: a file that is too large or unreadable
   * is a typed error and the calendars stay as they were.
   */
  async importIcs(input: { name: string; text: string; calendarId?: string }): Promise<CalendarOverview> {
    const choices = (await this.deps.loadChoices()) ?? [];
    const existing = input.calendarId ? choices.find((c) => c.id === input.calendarId) : undefined;
    if (input.calendarId && existing?.ics?.kind !== 'file')
      throw new CalendarError('invalid_input', 'Only an imported calendar can be replaced by a file.');
    const id = existing?.id ?? `ics:${crypto.randomUUID()}`;
    const report = await storeIcs(this.#icsDeps(), id, input.text);
    if (!existing) {
      const summary = (report.name ?? input.name.replace(/\.ics$/i, '')).trim().slice(0, 200) || 'Imported';
      await this.deps.saveChoices([
        ...choices,
        { id, summary, primary: false, selected: true, ics: { kind: 'file' } },
      ]);
    }
    this.deps.onChange();
    return this.overview();
  }

  /**
   * [ICS8] Subscribes to a calendar's secret iCal address, read once now and then on every sync alarm.
   * A first read that fails adds nothing: the error says what to do.
   */
  async subscribeIcs(input: { url: string; name?: string }): Promise<CalendarOverview> {
    const url = icsAddress(input.url);
    const choices = (await this.deps.loadChoices()) ?? [];
    if (choices.some((c) => c.ics?.kind === 'url' && c.ics.url === url))
      throw new CalendarError('invalid_input', 'You already subscribe to this calendar address.');
    const id = `ics:${crypto.randomUUID()}`;
    let name: string | undefined;
    try {
      name = (await refreshIcsSubscription(this.#icsDeps(), id, url, this.deps.signal)).name;
    } catch (error) {
      // Nothing is kept of a subscription that never worked (its failure was recorded on its state).
      await this.deps.cache.clearCalendar(id);
      throw error;
    }
    const summary = (input.name?.trim() || name || new URL(url).hostname).slice(0, 200);
    await this.deps.saveChoices([
      ...choices,
      { id, summary, primary: false, selected: true, ics: { kind: 'url', url } },
    ]);
    this.deps.onChange();
    return this.overview();
  }

  /** Removes an imported or subscribed calendar and its cached events (Google calendars: disconnect). */
  async removeCalendar(calendarId: string): Promise<CalendarOverview> {
    const choices = (await this.deps.loadChoices()) ?? [];
    if (!choices.find((c) => c.id === calendarId)?.ics)
      throw new CalendarError(
        'invalid_input',
        'Only an imported or subscribed calendar can be removed here.',
      );
    await this.deps.cache.clearCalendar(calendarId);
    await this.deps.saveChoices(choices.filter((c) => c.id !== calendarId));
    this.deps.onChange();
    return this.overview();
  }

  #icsDeps(): IcsSyncDeps {
    return {
      cache: this.deps.cache,
      clock: this.#clock,
      defaultZone: this.deps.defaultZone?.() ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      limits: { ...ICS_LIMITS, ...this.deps.icsLimits },
      ...(this.deps.icsFetch && { fetch: this.deps.icsFetch }),
    };
  }

  async overview(): Promise<CalendarOverview> {
    const connected = await this.deps.oauth.isConnected();
    const choices = (await this.deps.loadChoices()) ?? [];
    const calendars = await Promise.all(
      choices.map(async ({ ics, ...choice }) => {
        const status = await calendarStatus({ cache: this.deps.cache, clock: this.#clock }, choice.id);
        const source: CalendarSource = ics?.kind ?? 'google';
        return {
          ...choice,
          source,
          events: await this.deps.cache.countEvents(choice.id),
          state: status.state,
          ...(status.state !== 'never_synced' && status.lastSyncedAt !== undefined
            ? { lastSyncedAt: status.lastSyncedAt }
            : {}),
          ...(status.state === 'degraded'
            ? {
                reason: status.reason,
                message: calendarErrorMessage(status.reason, source === 'google' ? 'google' : 'ics'),
              }
            : {}),
          ...(status.state === 'reconnect_required'
            ? { message: calendarErrorMessage('reconnect_required') }
            : {}),
        };
      }),
    );
    const selected = calendars.filter((c) => c.selected);
    const synced = selected.map((c) => c.lastSyncedAt).filter((t): t is number => t !== undefined);
    return {
      connected,
      googleConfigured: this.deps.oauth.isConfigured(),
      syncing: this.#syncing !== undefined,
      ...(this.#progress ? { progress: this.#progress } : {}),
      calendars,
      events: selected.reduce((n, c) => n + c.events, 0),
      ...(synced.length ? { lastSyncedAt: Math.min(...synced) } : {}),
      ...(this.#lastError ? { error: this.#lastError } : {}),
    };
  }
}

/** Whether a Google event already has these times, read as TIM2 says (not in the runtime's zone). */
function sameTimes(event: GEvent, calendarZone: string, times: { start: number; end: number }): boolean {
  if (!event.start || !event.end) return false;
  try {
    const { startMs, endMs, allDay } = instantRange(event.start, event.end, calendarZone);
    return !allDay && startMs === times.start && endMs === times.end;
  } catch (error) {
    // Times we cannot read (TIM3) are not ours: the booking moves the event to the negotiated slot.
    if (isCalendarError(error)) return false;
    throw error;
  }
}
