import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeGoogleCalendar, type FakeGoogleCalendar } from '../../tests/fakes/google-calendar';
import { CalendarClient } from './client';
import { manualClock } from './clock';
import { GOOGLE_SCOPES, GoogleOAuth, type StoredTokens } from './oauth';

/** GoogleOAuth against the fake's real OAuth endpoints; the browser's sign-in window is a redirect-following fetch. */
let fake: FakeGoogleCalendar;
beforeAll(async () => {
  fake = await startFakeGoogleCalendar({});
});
afterAll(() => fake.close());

const REDIRECT = 'https://abcdefghijklmnop.chromiumapp.org/';

function setUp(opts: { tamperState?: boolean } = {}) {
  let stored: StoredTokens | undefined;
  const seen: URL[] = [];
  let now = Date.parse('2026-11-24T10:00:00Z');
  const oauth = new GoogleOAuth({
    config: () => ({
      clientId: 'parley-test',
      authUrl: `${fake.url}/o/oauth2/v2/auth`,
      tokenUrl: `${fake.url}/token`,
      revokeUrl: `${fake.url}/revoke`,
    }),
    redirectUri: REDIRECT,
    async launchWebAuthFlow(url) {
      seen.push(new URL(url));
      const response = await fetch(url, { redirect: 'manual' });
      const location = new URL(response.headers.get('location')!);
      if (opts.tamperState) location.searchParams.set('state', 'forged');
      return location.toString();
    },
    load: async () => stored,
    save: async (t) => void (stored = t),
    clear: async () => void (stored = undefined),
    now: () => now,
  });
  return { oauth, seen, stored: () => stored, advance: (ms: number) => (now += ms) };
}

describe('Google OAuth', () => {
  it('[OAU1] asks only for the narrow scopes, with PKCE (S256) and a state', async () => {
    const { oauth, seen, stored } = setUp();
    await oauth.connect();
    const asked = seen[0]!.searchParams;
    expect(asked.get('scope')!.split(' ')).toEqual(GOOGLE_SCOPES);
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(stored()).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    // The token the fake issued works against the API.
    const client = new CalendarClient({
      baseUrl: `${fake.url}/calendar/v3`,
      tokens: oauth,
      clock: manualClock(Date.now()),
    });
    expect((await client.listCalendars()).length).toBeGreaterThan(0);
  });

  it('[OAU2] refuses an answer whose state does not match', async () => {
    const { oauth, stored } = setUp({ tamperState: true });
    await expect(oauth.connect()).rejects.toMatchObject({ code: 'reconnect_required' });
    expect(stored()).toBeUndefined();
  });

  it('[OAU3] refreshes a token that is about to expire, keeping the refresh token', async () => {
    const { oauth, stored, advance } = setUp();
    await oauth.connect();
    const first = stored()!;
    expect(await oauth.getToken()).toBe(first.accessToken);
    advance(3599_000 - 30_000); // 30 s before expiry: inside the early-refresh margin
    const second = await oauth.getToken();
    expect(second).not.toBe(first.accessToken);
    expect(stored()!.refreshToken).toBe(first.refreshToken);
  });

  it('[OAU4] revokes on disconnect: the refresh token stops working and nothing is kept', async () => {
    const { oauth, stored } = setUp();
    await oauth.connect();
    const { refreshToken } = stored()!;
    await oauth.disconnect();
    expect(stored()).toBeUndefined();
    const response = await fetch(`${fake.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken!,
        client_id: 'parley-test',
      }),
    });
    expect(response.status).toBe(400);
    await expect(oauth.getToken()).rejects.toMatchObject({ code: 'reconnect_required' });
  });
});

describe('the OAuth client id of a published build', () => {
  it('[ICS10] is set at build time (PARLEY_GOOGLE_CLIENT_ID) and used when the settings leave it empty', async () => {
    vi.stubEnv('PARLEY_GOOGLE_CLIENT_ID', ' built-in.apps.googleusercontent.com ');
    vi.resetModules();
    try {
      const built = await import('./oauth');
      expect(built.BUILD_GOOGLE_CLIENT_ID).toBe('built-in.apps.googleusercontent.com');
      expect(built.effectiveClientId('')).toBe('built-in.apps.googleusercontent.com');
      expect(built.effectiveClientId(' mine.apps.googleusercontent.com ')).toBe(
        'mine.apps.googleusercontent.com',
      );
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
    const unset = await import('./oauth');
    expect(unset.effectiveClientId('')).toBe('');
  });
});
