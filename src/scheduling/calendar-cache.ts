import type { Interval } from './interval';

/** How an event blocks time. 'free' is Google's transparency "transparent". */
export type EventStatus = 'busy' | 'tentative' | 'free';

interface CachedEventBase {
  readonly id: string;
  readonly calendarId: string;
  readonly status: EventStatus;
  /** The person declined this invitation: it does not block time. */
  readonly declined?: boolean;
  readonly cancelled?: boolean;
}
export interface TimedEvent extends CachedEventBase {
  readonly kind: 'timed';
  readonly start: number;
  readonly end: number;
}
/** All-day events are local dates in the person's zone; endDate is exclusive, as in Google's API. */
export interface AllDayEvent extends CachedEventBase {
  readonly kind: 'allDay';
  readonly startDate: string;
  readonly endDate: string;
}
/** Only times and status: availability never needs titles, attendees or descriptions. */
export type CachedEvent = TimedEvent | AllDayEvent;

/** The ranges for which the cache holds a complete copy of a calendar. Outside them: unknown. */
export interface CalendarCoverage {
  readonly calendarId: string;
  /** Empty for a calendar that never synced, lost access or failed: it is unknown everywhere. */
  readonly known: readonly Interval[];
}

export interface CalendarSnapshot {
  readonly events: readonly CachedEvent[];
  readonly calendars: readonly CalendarCoverage[];
}

/** What scheduling needs from the calendar capability's local cache. */
export interface CalendarCache {
  snapshot(range: Interval): Promise<CalendarSnapshot>;
}

/** Test and development fake. */
export class InMemoryCalendarCache implements CalendarCache {
  constructor(
    private events: CachedEvent[] = [],
    private calendars: CalendarCoverage[] = [],
  ) {}

  setEvents(events: CachedEvent[]): void {
    this.events = [...events];
  }

  setCalendars(calendars: CalendarCoverage[]): void {
    this.calendars = [...calendars];
  }

  async snapshot(range: Interval): Promise<CalendarSnapshot> {
    const dayMs = 86_400_000;
    const events = this.events.filter((e) =>
      e.kind === 'timed'
        ? e.end > range.start && e.start < range.end
        : Date.parse(e.endDate) + 2 * dayMs > range.start && Date.parse(e.startDate) - 2 * dayMs < range.end,
    );
    return { events, calendars: this.calendars };
  }
}
