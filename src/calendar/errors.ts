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
