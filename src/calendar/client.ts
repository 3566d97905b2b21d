import type { z } from 'zod';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy } from './backoff';
import { systemClock, type Clock } from './clock';
import { CalendarError, type CalendarErrorCode } from './errors';
import {
  calendarListSchema,
  eventSchema,
  eventsPageSchema,
  freeBusyResponseSchema,
  googleErrorBodySchema,
  type CalendarListEntry,
  type EventsPage,
  type FreeBusyResponse,
  type GEvent,
} from './schemas';

/**
 * Where access tokens come from. The extension implements it over chrome.identity and the vault;
 * `refreshToken` is called at most once per request, after a 401.
 */
export interface TokenProvider {
  getToken(): Promise<string>;
  refreshToken(): Promise<string>;
}

export interface CalendarClientOptions {
  /** e.g. `https://www.googleapis.com/calendar/v3` or a fake's `http://127.0.0.1:N/calendar/v3`. */
  baseUrl: string;
  tokens: TokenProvider;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
}

export type SendUpdates = 'all' | 'externalOnly' | 'none';

export interface ListEventsParams {
  singleEvents?: boolean;
  showDeleted?: boolean;
  timeMin?: string;
  timeMax?: string;
  syncToken?: string;
  pageToken?: string;
  maxResults?: number;
  /** Only the events with this iCalendar id (how an invitation from another calendar is found). */
  iCalUID?: string;
}

export interface FreeBusyRequest {
  timeMin: string;
  timeMax: string;
  items: { id: string }[];
  calendarExpansionMax?: number;
}

export const GOOGLE_CALENDAR_BASE_URL = 'https://www.googleapis.com/calendar/v3';

/** Reasons Google documents as "slow down and retry" (403 or 429). */
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
/** Reasons that mean the day's quota is gone: retrying before it resets only burns more. */
const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);

interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
}

/**
 * A small typed Calendar v3 REST client over `fetch`, usable in the MV3 service worker and in Node.
 * Every request it makes is safe to repeat (reads; inserts carry a client-chosen id; patches and
 * deletes carry If-Match), so it retries lost answers as well as rate limits and 5xx.
 */
export class CalendarClient {
  /** HTTP requests sent, retries included (benchmarks and tests count them). */
  calls = 0;
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;

  constructor(private readonly opts: CalendarClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  async listCalendars(signal?: AbortSignal): Promise<CalendarListEntry[]> {
    const out: CalendarListEntry[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.request({
        method: 'GET',
        path: '/users/me/calendarList',
        query: { pageToken, maxResults: 250 },
        schema: calendarListSchema,
        ...(signal && { signal }),
      });
      out.push(...page.items.filter((c) => c.deleted !== true));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  listEvents(calendarId: string, params: ListEventsParams, signal?: AbortSignal): Promise<EventsPage> {
    return this.request({
      method: 'GET',
      path: `/calendars/${encodeURIComponent(calendarId)}/events`,
      query: { ...params },
      schema: eventsPageSchema,
      ...(signal && { signal }),
    });
  }

  getEvent(calendarId: string, eventId: string, signal?: AbortSignal): Promise<GEvent> {
    return this.request({
      method: 'GET',
      path: eventPath(calendarId, eventId),
      schema: eventSchema,
      ...(signal && { signal }),
    });
  }

  insertEvent(
    calendarId: string,
    body: Record<string, unknown>,
    opts: { sendUpdates: SendUpdates; conferenceDataVersion?: 0 | 1; signal?: AbortSignal },
  ): Promise<GEvent> {
    return this.request({
      method: 'POST',
      path: `/calendars/${encodeURIComponent(calendarId)}/events`,
      query: { sendUpdates: opts.sendUpdates, conferenceDataVersion: opts.conferenceDataVersion },
      body,
      schema: eventSchema,
      ...(opts.signal && { signal: opts.signal }),
    });
  }

  patchEvent(
    calendarId: string,
    eventId: string,
    body: Record<string, unknown>,
    opts: { sendUpdates: SendUpdates; etag?: string; conferenceDataVersion?: 0 | 1; signal?: AbortSignal },
  ): Promise<GEvent> {
    return this.request({
      method: 'PATCH',
      path: eventPath(calendarId, eventId),
      query: { sendUpdates: opts.sendUpdates, conferenceDataVersion: opts.conferenceDataVersion },
      body,
      ...(opts.etag !== undefined && { headers: { 'if-match': opts.etag } }),
      schema: eventSchema,
      ...(opts.signal && { signal: opts.signal }),
    });
  }

  async deleteEvent(
    calendarId: string,
    eventId: string,
    opts: { sendUpdates: SendUpdates; etag?: string; signal?: AbortSignal },
  ): Promise<void> {
    await this.request({
      method: 'DELETE',
      path: eventPath(calendarId, eventId),
      query: { sendUpdates: opts.sendUpdates },
      ...(opts.etag !== undefined && { headers: { 'if-match': opts.etag } }),
      ...(opts.signal && { signal: opts.signal }),
    });
  }

  freeBusy(req: FreeBusyRequest, signal?: AbortSignal): Promise<FreeBusyResponse> {
    return this.request({
      method: 'POST',
      path: '/freeBusy',
      body: req,
      schema: freeBusyResponseSchema,
      ...(signal && { signal }),
    });
  }

  private async request<T>(spec: RequestSpec<T>): Promise<T> {
    const url = new URL(this.base + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    let token = await this.token(() => this.opts.tokens.getToken());
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (spec.signal?.aborted) throw new CalendarError('aborted', 'The calendar request was cancelled.');
      let res: Response;
      try {
        this.calls++;
        res = await this.fetchImpl(url, {
          method: spec.method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(spec.body !== undefined && { 'content-type': 'application/json' }),
            ...spec.headers,
          },
          ...(spec.body !== undefined && { body: JSON.stringify(spec.body) }),
          ...(spec.signal && { signal: spec.signal }),
        });
      } catch (cause) {
        // fetch rejects only when no answer came (offline, DNS, reset): retried with backoff, then `network`.
        if (spec.signal?.aborted)
          throw new CalendarError('aborted', 'The calendar request was cancelled.', { cause });
        if (attempt + 1 >= this.policy.maxAttempts) {
          throw new CalendarError(
            'network',
            'Google Calendar could not be reached. Check the connection; the next sync retries.',
            { cause },
          );
        }
        await this.clock.sleep(backoffDelay(this.policy, attempt), spec.signal);
        continue;
      }
      if (res.ok) return this.parse(res, spec.schema);

      const { reason } = await readError(res);
      if (res.status === 401) {
        if (refreshed) {
          throw new CalendarError(
            'reconnect_required',
            'Google refused the refreshed token. Reconnect Google in Options.',
            { status: 401, ...(reason !== undefined && { reason }) },
          );
        }
        refreshed = true;
        token = await this.token(() => this.opts.tokens.refreshToken());
        attempt--; // a refresh is not a backoff step
        continue;
      }
      const retryable =
        res.status === 429 ||
        res.status >= 500 ||
        (res.status === 403 && reason !== undefined && RATE_REASONS.has(reason));
      if (retryable && attempt + 1 < this.policy.maxAttempts) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
        await this.clock.sleep(backoffDelay(this.policy, attempt, retryAfter), spec.signal);
        continue;
      }
      throw toError(res.status, reason);
    }
  }

  private async token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (cause) {
      // Whatever the token source threw, the fix is the same: connect Google again.
      if (cause instanceof CalendarError) throw cause;
      throw new CalendarError(
        'reconnect_required',
        'No valid Google token is available. Reconnect Google in Options.',
        { cause },
      );
    }
  }

  private async parse<T>(res: Response, schema: z.ZodType<T> | undefined): Promise<T> {
    if (!schema) {
      await res.body?.cancel();
      return undefined as T;
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (cause) {
      // Not JSON: a proxy page or a truncated answer. Said as bad_response; nothing is cached from it.
      throw new CalendarError('bad_response', 'Google Calendar answered with something that is not JSON.', {
        cause,
        status: res.status,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // Paths only: the values may be calendar content.
      const where = parsed.error.issues
        .map((i) => i.path.join('.') || '(root)')
        .slice(0, 5)
        .join(', ');
      throw new CalendarError(
        'bad_response',
        `Google Calendar's answer does not match the v3 schema (at ${where}).`,
        {
          cause: parsed.error,
          status: res.status,
        },
      );
    }
    return parsed.data;
  }
}

function eventPath(calendarId: string, eventId: string): string {
  return `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`;
}

async function readError(res: Response): Promise<{ reason?: string }> {
  try {
    const parsed = googleErrorBodySchema.safeParse(await res.json());
    if (!parsed.success) return {};
    const first = parsed.data.error.errors?.[0];
    return first?.reason !== undefined ? { reason: first.reason } : {};
  } catch {
    // An error body we cannot read: the status alone decides the error (toError).
    return {};
  }
}

/** Google status + reason → our code, with a message that says what happens next. */
export function toError(status: number, reason: string | undefined): CalendarError {
  const opts = { status, ...(reason !== undefined && { reason }) };
  const pick = (code: CalendarErrorCode, message: string): CalendarError =>
    new CalendarError(code, message, opts);
  if (status === 403 && reason !== undefined && QUOTA_REASONS.has(reason)) {
    return pick(
      'quota_exhausted',
      'The Google Calendar quota is used up for now; cached events stay available and sync resumes later.',
    );
  }
  if (status === 429 || (status === 403 && reason !== undefined && RATE_REASONS.has(reason))) {
    return pick('rate_limited', 'Google Calendar kept asking us to slow down; the next sync retries.');
  }
  if (status >= 500)
    return pick('server_error', 'Google Calendar had a server error on every try; the next sync retries.');
  switch (status) {
    case 400:
      return pick(
        'bad_request',
        `Google Calendar rejected the request${reason ? ` (${reason})` : ''}. This is a bug in Parley.`,
      );
    case 403:
      return pick(
        'forbidden',
        `Google Calendar refused the action${reason ? ` (${reason})` : ''}; the calendar may be read-only.`,
      );
    case 404:
      return pick('not_found', 'The calendar or event no longer exists on Google.');
    case 409:
      return pick('duplicate', 'An event with this id already exists on Google.');
    case 410:
      return reason === 'fullSyncRequired' || reason === 'updatedMinTooLongAgo'
        ? pick('sync_token_expired', 'The sync token expired; a full sync is needed.')
        : pick('gone', 'The event was already deleted on Google.');
    case 412:
      return pick('precondition_failed', 'The event changed on Google since we read it; it must be re-read.');
    default:
      return pick('bad_request', `Google Calendar answered with status ${status}; this is a bug in Parley.`);
  }
}
