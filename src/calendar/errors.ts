import type { ErrorShape } from '../errors';

export type CalendarErrorCode =
  /** The token was refused even after one refresh: the person must connect Google again. */
  | 'reconnect_required'
  /** The daily quota is spent (403 quotaExceeded); cached data stays usable until it resets. */
  | 'quota_exhausted'
  /** Rate limited (403 rate limits, 429) or 5xx on every attempt the retry budget allowed. */
  | 'rate_limited'
  | 'server_error'
  /** The sync token is no longer valid (410 fullSyncRequired); the sync engine recovers by itself. */
  | 'sync_token_expired'
  | 'not_found'
  /** The resource was deleted (410 deleted). */
  | 'gone'
  /** An event with the client-chosen id exists and is not ours. */
  | 'duplicate'
  /** The etag given with If-Match no longer matches (412): someone else changed the event. */
  | 'precondition_failed'
  | 'forbidden'
  | 'bad_request'
  /** Google answered with something that does not match the Calendar v3 schema. */
  | 'bad_response'
  /** No answer at all (connection refused, reset, timeout). */
  | 'network'
  | 'invalid_input'
  /** An event's time depends on a zone this runtime's tz database does not know (TIM3). */
  | 'unknown_time_zone'
  /** A failure that is not a CalendarError (a bug); the sync records it like any other (SYN11). */
  | 'unexpected'
  /** [ICS1] An iCalendar file (imported or subscribed) larger than the cap. */
  | 'ics_too_large'
  /** [ICS1] Not iCalendar, or an event in it cannot be read. */
  | 'ics_invalid'
  /** [ICS3] More occurrences (or recurrence steps) than the cap. */
  | 'ics_too_many_events'
  /** [ICS8] The secret address answers 404/410: it was reset (or the calendar deleted). */
  | 'ics_address_gone'
  /** [ICS8] The secret address answers 401/403. */
  | 'ics_refused'
  /** [ICS10] Google sign-in has no OAuth client id in this build or in the settings. */
  | 'google_not_configured'
  /** [DPG7] A page of the local calendar cache failed its check: the calendar was dropped for a full resync. */
  | 'cache_damaged'
  | 'aborted';

/**
 * Every failure of the calendar capability. `status` and `reason` are Google's (when there was an
 * answer); messages never contain event content or tokens.
 */
export class CalendarError extends Error {
  readonly status: number | undefined;
  readonly reason: string | undefined;

  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; reason?: string },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'CalendarError';
    this.status = options?.status;
    this.reason = options?.reason;
  }

  toJSON(): { code: CalendarErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const isCalendarError = (e: unknown, code?: CalendarErrorCode): e is CalendarError =>
  e instanceof CalendarError && (code === undefined || e.code === code);

/** What each calendar failure means for the person, and what to do about it (never Google's own text). */
const TO_RPC: Record<CalendarErrorCode, ErrorShape> = {
  reconnect_required: {
    code: 'calendar_reconnect_required',
    message:
      'Google Calendar needs to be connected again: open Settings and choose “Connect Google Calendar”.',
  },
  quota_exhausted: {
    code: 'calendar_unavailable',
    message:
      'Google Calendar’s daily quota is used up. Parley keeps using your cached calendar; try again tomorrow.',
  },
  rate_limited: {
    code: 'calendar_unavailable',
    message: 'Google Calendar is asking Parley to slow down. Try again in a few minutes.',
  },
  server_error: {
    code: 'calendar_unavailable',
    message: 'Google Calendar is having trouble right now. Try again in a few minutes.',
  },
  network: {
    code: 'calendar_unavailable',
    message: 'Google Calendar could not be reached. Check your connection, then try again.',
  },
  bad_response: {
    code: 'calendar_unavailable',
    message: 'Google Calendar answered with something Parley does not understand. Try again later.',
  },
  sync_token_expired: {
    code: 'calendar_failed',
    message: 'Google asked for a full calendar sync. Choose “Sync now” to run it.',
  },
  not_found: {
    code: 'calendar_event_gone',
    message: 'That event is no longer on Google Calendar. Book the meeting again if you still want it.',
  },
  gone: {
    code: 'calendar_event_gone',
    message: 'That event was deleted on Google Calendar. Book the meeting again if you still want it.',
  },
  duplicate: {
    code: 'calendar_conflict',
    message:
      'Another event on Google Calendar already uses this meeting’s id; nothing was changed. Remove that event, then try again.',
  },
  precondition_failed: {
    code: 'calendar_conflict',
    message:
      'The event was changed on Google Calendar meanwhile. Open the meeting to choose which version to keep.',
  },
  forbidden: {
    code: 'calendar_failed',
    message:
      'Google refused to change this calendar. Choose a calendar you own in Settings, or connect Google Calendar again.',
  },
  bad_request: {
    code: 'calendar_failed',
    message:
      'Google Calendar refused the request. Try again; if it repeats, export Diagnostics from Settings and report it.',
  },
  invalid_input: {
    code: 'bad_request',
    message:
      'The meeting’s times could not be written to Google Calendar. Pick the time again, with your time zone set in Preferences.',
  },
  unknown_time_zone: {
    code: 'calendar_failed',
    message:
      'An event on this calendar uses a time zone this browser does not know yet, so Parley treats the calendar as busy. Update your browser, or give that event a common time zone in Google Calendar, then choose “Sync now”.',
  },
  unexpected: {
    code: 'calendar_failed',
    message:
      'Parley could not read this calendar because of an unexpected problem, so it treats it as busy. Choose “Sync now”; if it repeats, export Diagnostics from Settings and report it.',
  },
  aborted: { code: 'calendar_failed', message: 'The calendar request was cancelled. Try again.' },
  cache_damaged: {
    code: 'calendar_failed',
    message:
      'Part of this calendar’s encrypted copy on this device failed its integrity check, so Parley removed the copy and treats the calendar as busy until it is read again. Choose “Sync now” (for an imported file, import it again).',
  },
  ics_too_large: {
    code: 'calendar_file_rejected',
    message:
      'The calendar file is too large for Parley (5 MB at most). Export a shorter period, or subscribe to the calendar’s secret address instead.',
  },
  ics_invalid: {
    code: 'calendar_file_rejected',
    message:
      'The calendar file is not valid iCalendar (.ics). Export it again from your calendar app and retry; nothing was changed.',
  },
  ics_too_many_events: {
    code: 'calendar_file_rejected',
    message:
      'The calendar repeats events more often than Parley reads (every minute or hour?). Shorten or remove that rule, or export a shorter period, and retry.',
  },
  ics_address_gone: {
    code: 'calendar_unavailable',
    message:
      'The calendar’s secret address no longer works (it was reset or the calendar deleted), so Parley treats it as busy. Copy the new secret address from your calendar app and subscribe again.',
  },
  ics_refused: {
    code: 'calendar_unavailable',
    message:
      'The calendar’s address refused Parley (it is not public or secret any more), so Parley treats it as busy. Copy the secret iCal address from your calendar app and subscribe again.',
  },
  google_not_configured: {
    code: 'calendar_not_configured',
    message:
      'This copy of Parley has no Google sign-in set up. Import an .ics file or subscribe to your calendar’s secret iCal address instead, or enter an OAuth client id under “Google endpoints (advanced)”.',
  },
};

/**
 * [ICS8] For a calendar read from an iCalendar address, the failures that name Google say what happened to
 * that address instead.
 */
const ICS_SOURCE: Partial<Record<CalendarErrorCode, string>> = {
  network:
    'The calendar’s address could not be reached, so Parley treats it as busy. Check your connection; Parley tries again every 15 minutes.',
  server_error:
    'The calendar’s server is having trouble, so Parley treats the calendar as busy. Parley tries again every 15 minutes.',
  rate_limited:
    'The calendar’s server asks Parley to slow down, so Parley treats the calendar as busy for now. Parley tries again every 15 minutes.',
  bad_response:
    'The calendar’s address answered with something that is not a calendar, so Parley treats it as busy. Check the address, then subscribe again.',
  unknown_time_zone:
    'An event on this calendar uses a time zone this browser does not know, so Parley treats the calendar as busy. Update your browser, or give that event a common time zone, then choose “Sync now”.',
  unexpected:
    'Parley could not read this calendar because of an unexpected problem, so it treats it as busy. Choose “Sync now”; if it repeats, export Diagnostics from Settings and report it.',
};

/** A CalendarError → what crosses the RPC boundary; `undefined` for anything that is not one. */
export function calendarErrorToRpc(error: unknown): ErrorShape | undefined {
  return isCalendarError(error) ? TO_RPC[error.code] : undefined;
}

/** What the person reads about a calendar in this state (the overview's per-calendar message). */
export function calendarErrorMessage(code: CalendarErrorCode, source: 'google' | 'ics' = 'google'): string {
  return (source === 'ics' ? ICS_SOURCE[code] : undefined) ?? TO_RPC[code].message;
}
