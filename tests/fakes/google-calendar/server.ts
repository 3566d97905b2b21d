import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DEFAULT_REASON, errorBody, HttpError } from './errors';
import { FakeStore, OWNER_EMAIL, iso, timeMs, type EventJson, type GoogleDirectory } from './store';

/** One injected failure: the next `count` matching requests get this error instead of an answer. */
export interface FailRule {
  status: number;
  reason?: string;
  count?: number;
  /** Substring of the request path (after /calendar/v3); all API paths when absent. */
  path?: string;
  method?: string;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
}

/** The next `count` matching requests are carried out, then the connection is cut before the answer. */
export interface DropRule {
  count?: number;
  path?: string;
  method?: string;
}

export interface FakeGoogleCalendarOptions {
  port?: number;
  host?: string;
  /** Injected clock for `updated`, `created` and the expansion horizon. */
  now?: () => number;
  /** Bearer tokens accepted besides those the fake's own /token endpoint issues. */
  acceptedTokens?: string[];
  /** Largest page the fake serves, as Google: default 250, never more than 2500. */
  defaultPageSize?: number;
  /** The account's e-mail, which is also its primary calendar's id (default OWNER_EMAIL). */
  account?: string;
  /** Accounts other fakes serve: invitations between them arrive as Google's do (store.ts). */
  directory?: GoogleDirectory;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeGoogleCalendar {
  url: string;
  port: number;
  store: FakeStore;
  requests: RecordedRequest[];
  fail(rule: FailRule): void;
  drop(rule: DropRule): void;
  /** Makes every sync token of a calendar stale, so the next incremental sync gets 410. */
  expireSyncTokens(calendarId: string): void;
  revokeToken(token: string): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const API = '/calendar/v3/';

export async function startFakeGoogleCalendar(
  opts: FakeGoogleCalendarOptions = {},
): Promise<FakeGoogleCalendar> {
  const clock = opts.now ?? Date.now;
  const store = new FakeStore(clock, opts.account, opts.directory);
  const tokens = new Set(opts.acceptedTokens ?? ['test']);
  const refreshTokens = new Map<string, string>();
  const codes = new Map<string, { redirectUri: string; scope: string }>();
  const dropRules: (DropRule & { count: number })[] = [];
  const snapshots = new Map<string, { items: EventJson[]; syncToken: string; meta: EventJson }>();
  const requests: RecordedRequest[] = [];
  const fails: (FailRule & { count: number })[] = [];

  const take = <R extends { count: number; path?: string; method?: string }>(
    rules: R[],
    method: string,
    path: string,
  ) => {
    const i = rules.findIndex(
      (r) => (!r.path || path.includes(r.path)) && (!r.method || r.method === method),
    );
    if (i < 0) return undefined;
    const rule = rules[i]!;
    rule.count--;
    if (rule.count <= 0) rules.splice(i, 1);
    return rule;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let reply: Reply;
    let drop = false;
    try {
      if (url.pathname.startsWith('/__control/')) {
        reply = control(method, url.pathname.slice('/__control/'.length), parseJson(raw));
      } else if (url.pathname === '/o/oauth2/auth' || url.pathname === '/o/oauth2/v2/auth') {
        reply = authorize(url);
      } else if (url.pathname === '/token' || url.pathname === '/o/oauth2/token') {
        reply = token(new URLSearchParams(raw));
      } else if (url.pathname === '/o/oauth2/revoke' || url.pathname === '/revoke') {
        const t = url.searchParams.get('token') ?? new URLSearchParams(raw).get('token') ?? '';
        tokens.delete(t);
        refreshTokens.delete(t);
        reply = { status: 200, body: {} };
      } else if (url.pathname.startsWith(API)) {
        const path = url.pathname.slice(API.length);
        requests.push({ method, path, query: Object.fromEntries(url.searchParams) });
        const injected = take(fails, method, path);
        if (injected) {
          const reason = injected.reason ?? DEFAULT_REASON[injected.status] ?? 'backendError';
          reply = {
            status: injected.status,
            body: errorBody(injected.status, reason),
            ...(injected.retryAfter !== undefined && {
              headers: { 'retry-after': String(injected.retryAfter) },
            }),
          };
        } else {
          authenticate(req);
          drop = take(dropRules, method, path) !== undefined;
          reply = api(method, path, url.searchParams, req, raw);
        }
      } else {
        reply = { status: 404, body: errorBody(404, 'notFound') };
      }
    } catch (err) {
      if (err instanceof HttpError) {
        reply = { status: err.status, body: err.body() };
        if (err.status === 401)
          reply.headers = {
            'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
          };
      } else {
        reply = { status: 500, body: errorBody(500, 'backendError') };
        console.error('fake-google-calendar: internal error', err);
      }
    }
    if (drop) {
      // The change is committed; the client only loses the answer (what a timeout after commit looks like).
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.status === 302 || reply.status === 204) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(reply.body ?? {}));
  }

  function authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    if (!m || !tokens.has(m[1]!)) throw new HttpError(401, 'authError');
  }

  function api(method: string, path: string, q: URLSearchParams, req: IncomingMessage, raw: string): Reply {
    const parts = path.split('/').map(decodeURIComponent);
    if (method === 'GET' && path === 'users/me/calendarList') return { status: 200, body: calendarList() };
    if (method === 'POST' && path === 'freeBusy') return { status: 200, body: freeBusy(parseJson(raw)) };
    if (parts[0] === 'calendars' && parts[2] === 'events' && parts[1] !== undefined) {
      const calendarId = parts[1];
      const eventId = parts[3];
      const ifMatch = header(req, 'if-match');
      const confVersion = Number(q.get('conferenceDataVersion') ?? '0');
      if (eventId === undefined) {
        if (method === 'GET') return { status: 200, body: listEvents(calendarId, q) };
        if (method === 'POST')
          return {
            status: 200,
            body: store.insert(calendarId, parseJson(raw), {
              conferenceDataVersion: confVersion,
              sendUpdates: q.get('sendUpdates') ?? 'false',
            }),
          };
      } else if (parts.length === 4) {
        if (method === 'GET') return { status: 200, body: store.get(calendarId, eventId) };
        if (method === 'PATCH') {
          return {
            status: 200,
            body: store.patch(calendarId, eventId, parseJson(raw), {
              conferenceDataVersion: confVersion,
              ...(ifMatch && { ifMatch }),
            }),
          };
        }
        if (method === 'DELETE') {
          store.delete(calendarId, eventId, { ...(ifMatch && { ifMatch }) });
          return { status: 204 };
        }
      }
    }
    throw new HttpError(404, 'notFound');
  }

  function calendarList(): EventJson {
    return {
      kind: 'calendar#calendarList',
      etag: `"${store.calendars.size}"`,
      nextSyncToken: randomBytes(12).toString('base64url'),
      items: [...store.calendars.values()].map((c) => ({
        kind: 'calendar#calendarListEntry',
        etag: `"${c.seq}"`,
        id: c.id,
        summary: c.summary,
        timeZone: c.timeZone,
        colorId: '14',
        backgroundColor: '#9fe1e7',
        foregroundColor: '#000000',
        selected: true,
        accessRole: c.accessRole,
        defaultReminders: [],
        ...(c.primary && { primary: true }),
        conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
      })),
    };
  }

  function listEvents(calendarId: string, q: URLSearchParams): EventJson {
    const cal = store.calendar(calendarId);
    const maxResults = Math.min(Number(q.get('maxResults') ?? opts.defaultPageSize ?? 250), 2500);
    if (!Number.isInteger(maxResults) || maxResults < 1)
      throw new HttpError(400, 'invalid', 'Invalid value for maxResults', 'maxResults');
    const pageToken = q.get('pageToken');
    const meta = {
      kind: 'calendar#events',
      etag: `"p${cal.seq.toString(32)}"`,
      summary: cal.summary,
      description: '',
      updated: iso(clock()),
      timeZone: cal.timeZone,
      accessRole: cal.accessRole,
      defaultReminders: [],
    };
    let snapshot: { items: EventJson[]; syncToken: string; meta: EventJson };
    if (pageToken) {
      const found = snapshots.get(pageToken);
      if (!found) throw new HttpError(400, 'invalid', 'Invalid page token value.', 'pageToken');
      snapshots.delete(pageToken);
      snapshot = found;
    } else {
      const syncToken = q.get('syncToken') ?? undefined;
      for (const forbidden of ['timeMin', 'timeMax', 'updatedMin', 'orderBy', 'q', 'iCalUID']) {
        if (syncToken !== undefined && q.has(forbidden))
          throw new HttpError(400, 'invalid', `Sync token cannot be used with ${forbidden}.`, forbidden);
      }
      const timeMin = q.get('timeMin') ?? undefined;
      const timeMax = q.get('timeMax') ?? undefined;
      const tmin = timeMin !== undefined ? Date.parse(timeMin) : undefined;
      const tmax = timeMax !== undefined ? Date.parse(timeMax) : undefined;
      if (Number.isNaN(tmin) || Number.isNaN(tmax)) throw new HttpError(400, 'invalid', 'Bad Request');
      if (tmin !== undefined && tmax !== undefined && tmax <= tmin)
        throw new HttpError(400, 'timeRangeEmpty');
      const listed = store.list(cal.id, {
        singleEvents: q.get('singleEvents') === 'true',
        // An incremental sync always includes deletions (Google refuses showDeleted=false with a token).
        showDeleted: syncToken !== undefined || q.get('showDeleted') === 'true',
        ...(tmin !== undefined && { timeMin: tmin }),
        ...(tmax !== undefined && { timeMax: tmax }),
        ...(syncToken !== undefined && { syncToken }),
      });
      // events.list?iCalUID=…: only the events with that iCalendar id (how an invitation is found).
      const iCalUID = q.get('iCalUID');
      snapshot = {
        ...listed,
        ...(iCalUID !== null && { items: listed.items.filter((e) => e.iCalUID === iCalUID) }),
        meta,
      };
    }
    const page = snapshot.items.slice(0, maxResults);
    const rest = snapshot.items.slice(maxResults);
    const body: EventJson = { ...snapshot.meta };
    if (rest.length > 0) {
      const next = randomBytes(24).toString('base64url');
      snapshots.set(next, { ...snapshot, items: rest });
      body.nextPageToken = next;
    } else {
      body.nextSyncToken = snapshot.syncToken;
    }
    body.items = page;
    return body;
  }

  function freeBusy(body: EventJson): EventJson {
    const tmin = Date.parse(body.timeMin);
    const tmax = Date.parse(body.timeMax);
    if (Number.isNaN(tmin) || Number.isNaN(tmax)) throw new HttpError(400, 'invalid', 'Bad Request');
    if (tmax <= tmin) throw new HttpError(400, 'timeRangeEmpty');
    const max = body.calendarExpansionMax ?? 50;
    if (max > 50)
      throw new HttpError(400, 'invalid', 'Invalid value for calendarExpansionMax', 'calendarExpansionMax');
    const calendars: EventJson = {};
    const items: { id: string }[] = body.items ?? [];
    items.forEach(({ id }, index) => {
      if (index >= max) {
        calendars[id] = { errors: [{ domain: 'global', reason: 'tooManyCalendarsRequested' }], busy: [] };
        return;
      }
      const cal = store.calendars.get(id) ?? (id === 'primary' ? store.calendar('primary') : undefined);
      if (!cal) {
        calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
        return;
      }
      const listed = store.list(cal.id, {
        singleEvents: true,
        showDeleted: false,
        timeMin: tmin,
        timeMax: tmax,
      }).items;
      const spans = listed
        .filter((e) => e.status !== 'cancelled' && e.transparency !== 'transparent')
        .map(
          (e) =>
            [Math.max(tmin, timeMs(e.start, cal.timeZone)), Math.min(tmax, timeMs(e.end, cal.timeZone))] as [
              number,
              number,
            ],
        )
        .sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const s of spans) {
        const last = merged[merged.length - 1];
        if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
        else merged.push([...s]);
      }
      calendars[id] = { busy: merged.map(([s, e]) => ({ start: isoSeconds(s), end: isoSeconds(e) })) };
    });
    return { kind: 'calendar#freeBusy', timeMin: isoSeconds(tmin), timeMax: isoSeconds(tmax), calendars };
  }

  function authorize(url: URL): Reply {
    const redirect = url.searchParams.get('redirect_uri');
    const state = url.searchParams.get('state');
    const responseType = url.searchParams.get('response_type') ?? 'code';
    if (!redirect || !url.searchParams.get('client_id')) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'Missing required parameter: redirect_uri or client_id',
        },
      };
    }
    const target = new URL(redirect);
    const scope = url.searchParams.get('scope') ?? '';
    if (responseType === 'token') {
      const access = issueAccess();
      const fragment = new URLSearchParams({
        access_token: access,
        token_type: 'Bearer',
        expires_in: '3599',
        scope,
      });
      if (state) fragment.set('state', state);
      target.hash = fragment.toString();
    } else {
      const code = `4/${randomBytes(16).toString('base64url')}`;
      codes.set(code, { redirectUri: redirect, scope });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', scope);
      if (state) target.searchParams.set('state', state);
    }
    return { status: 302, headers: { location: target.toString() } };
  }

  function token(form: URLSearchParams): Reply {
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const entry = codes.get(code);
      if (!entry || entry.redirectUri !== form.get('redirect_uri')) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'Malformed auth code.' } };
      }
      codes.delete(code);
      const refresh = `1//${randomBytes(24).toString('base64url')}`;
      const access = issueAccess();
      refreshTokens.set(refresh, entry.scope);
      return {
        status: 200,
        body: {
          access_token: access,
          expires_in: 3599,
          refresh_token: refresh,
          scope: entry.scope,
          token_type: 'Bearer',
        },
      };
    }
    if (grant === 'refresh_token') {
      const scope = refreshTokens.get(form.get('refresh_token') ?? '');
      if (scope === undefined)
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
        };
      return {
        status: 200,
        body: { access_token: issueAccess(), expires_in: 3599, scope, token_type: 'Bearer' },
      };
    }
    return {
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + (grant ?? '') },
    };
  }

  function issueAccess(): string {
    const access = `ya29.${randomBytes(24).toString('base64url')}`;
    tokens.add(access);
    return access;
  }

  /**
   * The test-only control API, for a fake started as a separate process (`npm run fake:google`):
   * POST fail | drop | calendars | calendars/:id/events | calendars/:id/expire-sync-tokens | revoke,
   * PATCH/DELETE calendars/:id/events/:eventId (writes as "another client").
   */
  function control(method: string, path: string, body: EventJson): Reply {
    const parts = path.split('/').map(decodeURIComponent);
    if (method === 'POST' && path === 'fail') {
      fails.push({ ...(body as FailRule), count: body.count ?? 1 });
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === 'drop') {
      dropRules.push({ ...(body as DropRule), count: body.count ?? 1 });
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === 'revoke') {
      tokens.delete(String(body.token));
      return { status: 200, body: { ok: true } };
    }
    if (parts[0] === 'calendars') {
      if (method === 'POST' && parts.length === 1) {
        const cal = store.addCalendar(body as { id: string });
        return { status: 200, body: { id: cal.id } };
      }
      const calendarId = parts[1]!;
      if (method === 'POST' && parts[2] === 'expire-sync-tokens') {
        store.expireSyncTokens(calendarId);
        return { status: 200, body: { ok: true } };
      }
      if (parts[2] === 'events') {
        if (method === 'POST' && parts.length === 3)
          return { status: 200, body: store.seedEvent(calendarId, body) };
        if (method === 'PATCH' && parts[3])
          return { status: 200, body: store.patch(calendarId, parts[3], body, { conferenceDataVersion: 1 }) };
        if (method === 'DELETE' && parts[3])
          return { status: 200, body: store.delete(calendarId, parts[3], {}) };
      }
    }
    throw new HttpError(404, 'notFound');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('fake-google-calendar: request failed', err);
      res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    requests,
    fail: (rule) => fails.push({ ...rule, count: rule.count ?? 1 }),
    drop: (rule) => dropRules.push({ ...rule, count: rule.count ?? 1 }),
    expireSyncTokens: (id) => store.expireSyncTokens(id),
    revokeToken: (t) => tokens.delete(t),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { OWNER_EMAIL };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): EventJson {
  if (raw === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v as EventJson;
  } catch {
    throw new HttpError(400, 'parseError', 'Parse Error');
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
