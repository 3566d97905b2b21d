import { base64urlnopad } from '@scure/base';
import { z } from 'zod';
import { constantTimeEqual } from '../crypto';
import { CalendarError } from './errors';
import type { TokenProvider } from './client';
import { createLogger, errorFields } from '../log';

const log = createLogger('calendar').child('oauth');

/**
 * OAuth 2.0 for Google from the extension: the authorization-code flow with PKCE
 * through `identity.launchWebAuthFlow` (Chrome and Firefox alike; ADR 0004), the
 * narrowest scopes that work, tokens kept only in the vault, a refresh before
 * expiry, and revocation on disconnect. Every endpoint is configurable so tests
 * point it at the fake (tests/fakes/google-calendar).
 */
export interface GoogleOAuthConfig {
  clientId: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

export const GOOGLE_OAUTH_DEFAULTS: Omit<GoogleOAuthConfig, 'clientId'> = {
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
};

/**
 * [ICS10] The OAuth client id this build was made with (`PARLEY_GOOGLE_CLIENT_ID`, written in by
 * `wxt.config.ts`), or '' (then the person can enter one, or use .ics calendars instead).
 */
export const BUILD_GOOGLE_CLIENT_ID: string =
  // Plain Node (tsx: the benchmarks, scripts) has no `import.meta.env`; the build writes the expression in.
  (
    (typeof import.meta.env === 'undefined' ? undefined : import.meta.env.PARLEY_GOOGLE_CLIENT_ID) ?? ''
  ).trim();

/** The client id to sign in with: the one in the settings, else the build's. */
export function effectiveClientId(configured: string): string {
  return configured.trim() || BUILD_GOOGLE_CLIENT_ID;
}

/**
 * [OAU1] Read events and free/busy; write only events on calendars the person owns
 * (which is where the agent books). No access to settings, ACLs or other calendars' writes.
 */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/calendar.calendarlist.readonly',
  'https://www.googleapis.com/auth/calendar.events.readonly',
  'https://www.googleapis.com/auth/calendar.freebusy',
  'https://www.googleapis.com/auth/calendar.events.owned',
];

export interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
}

export interface GoogleOAuthDeps {
  config: () => GoogleOAuthConfig;
  /** `identity.launchWebAuthFlow`: resolves with the URL Google redirected to. */
  launchWebAuthFlow(url: string, interactive: boolean): Promise<string>;
  /** `identity.getRedirectURL()`. */
  redirectUri: string;
  load(): Promise<StoredTokens | undefined>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
  now?: () => number;
  fetch?: typeof fetch;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().default(''),
  token_type: z.string().optional(),
});

/** Refresh this long before Google says the token expires. */
const EARLY_REFRESH_MS = 60_000;

export class GoogleOAuth implements TokenProvider {
  readonly #now: () => number;
  readonly #fetch: typeof fetch;

  constructor(private readonly deps: GoogleOAuthDeps) {
    this.#now = deps.now ?? Date.now;
    this.#fetch = deps.fetch ?? ((...args) => fetch(...args));
  }

  /** [ICS10] Whether sign-in can start: an OAuth client id is set (build or settings). */
  isConfigured(): boolean {
    return this.deps.config().clientId.trim() !== '';
  }

  async isConnected(): Promise<boolean> {
    return (await this.deps.load()) !== undefined;
  }

  /** [OAU2] Interactive sign-in: PKCE (S256) and a random `state`, both checked. */
  async connect(): Promise<void> {
    const config = this.deps.config();
    // [ICS10] No client id (built without PARLEY_GOOGLE_CLIENT_ID, none in the settings): Google would
    // only show an error page. Say what works instead.
    if (!this.isConfigured())
      throw new CalendarError('google_not_configured', 'Google sign-in has no OAuth client id.');
    const verifier = base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64urlnopad.encode(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    );
    const state = base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(16)));
    const url = new URL(config.authUrl);
    url.search = new URLSearchParams({
      client_id: config.clientId,
      redirect_uri: this.deps.redirectUri,
      response_type: 'code',
      scope: GOOGLE_SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    }).toString();

    let redirected: URL;
    try {
      redirected = new URL(await this.deps.launchWebAuthFlow(url.toString(), true));
    } catch (cause) {
      // The person closed the window or Google refused: only a new sign-in helps, which the message says.
      throw new CalendarError(
        'reconnect_required',
        'Google sign-in was closed or refused. Try “Connect Google Calendar” again.',
        { cause },
      );
    }
    if (!constantTimeEqual(redirected.searchParams.get('state') ?? '', state)) {
      throw new CalendarError('reconnect_required', 'Google’s answer did not match this sign-in. Try again.');
    }
    const code = redirected.searchParams.get('code');
    if (!code) {
      const reason = redirected.searchParams.get('error') ?? 'no code';
      throw new CalendarError('reconnect_required', `Google did not grant access (${reason.slice(0, 60)}).`);
    }
    const tokens = await this.#tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.deps.redirectUri,
      client_id: config.clientId,
      code_verifier: verifier,
    });
    await this.deps.save(tokens);
  }

  /** [OAU3] A token valid for at least another minute, refreshed first if needed. */
  async getToken(): Promise<string> {
    const tokens = await this.deps.load();
    if (!tokens) throw new CalendarError('reconnect_required', 'Google Calendar is not connected.');
    if (tokens.expiresAt - EARLY_REFRESH_MS > this.#now()) return tokens.accessToken;
    return this.refreshToken();
  }

  async refreshToken(): Promise<string> {
    const tokens = await this.deps.load();
    if (!tokens?.refreshToken) {
      throw new CalendarError('reconnect_required', 'Google access expired. Reconnect Google Calendar.');
    }
    const fresh = await this.#tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
      client_id: this.deps.config().clientId,
    });
    // Google does not always send a new refresh token: keep the one we have.
    await this.deps.save({ ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken });
    return fresh.accessToken;
  }

  /** [OAU4] Revokes at Google (best effort) and forgets the tokens either way. */
  async disconnect(): Promise<void> {
    const tokens = await this.deps.load();
    if (tokens) {
      const token = tokens.refreshToken ?? tokens.accessToken;
      await this.#fetch(this.deps.config().revokeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      }).catch((error: unknown) => {
        // Best effort (OAU4): the tokens are forgotten below either way; Google expires them in time.
        log.warn('revoke_failed', errorFields(error));
      });
    }
    await this.deps.clear();
  }

  async #tokenRequest(form: Record<string, string>): Promise<StoredTokens> {
    let response: Response;
    try {
      response = await this.#fetch(this.deps.config().tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (cause) {
      // Offline or blocked: said as `network`, so the person (or the next sync) tries again.
      throw new CalendarError(
        'network',
        'Could not reach Google to sign in. Check the connection and try again.',
        { cause },
      );
    }
    // A body that is not JSON is judged below, by its status or by the schema.
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      // invalid_grant: the refresh token was revoked or expired; only a new sign-in helps.
      throw new CalendarError(
        'reconnect_required',
        'Google refused the sign-in. Reconnect Google Calendar.',
        {
          status: response.status,
        },
      );
    }
    const parsed = TokenResponse.safeParse(body);
    if (!parsed.success) throw new CalendarError('bad_response', 'Google’s token answer was not understood.');
    return {
      accessToken: parsed.data.access_token,
      ...(parsed.data.refresh_token ? { refreshToken: parsed.data.refresh_token } : {}),
      expiresAt: this.#now() + parsed.data.expires_in * 1000,
      scope: parsed.data.scope,
    };
  }
}
