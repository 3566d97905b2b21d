// The account capability against the real Firebase Auth emulator, through the same SDK entry point
// the extension ships (`firebase/auth/web-extension`, its IndexedDB persistence on fake-indexeddb).
// Nothing of ours is mocked.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthEmulator, type AuthEmulator } from '../../relay/testing/firebase-emulator';
import type { FirebaseSettings } from '../rpc';
import { AccountService } from './account-service';

let emulator: AuthEmulator;
let settings: FirebaseSettings;
const services: AccountService[] = [];
let apps = 0;

beforeAll(async () => {
  emulator = await startAuthEmulator();
  settings = {
    apiKey: 'demo-key',
    projectId: emulator.projectId,
    authDomain: '',
    emulatorUrl: `http://${emulator.host}/`,
  };
}, 300_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await emulator?.stop();
}, 30_000);

function service(onUserChange?: () => void, appName = `account-test-${++apps}`): AccountService {
  const account = new AccountService({ appName, onUserChange });
  services.push(account);
  return account;
}

let users = 0;
const email = () => `person${++users}-${Date.now()}@example.com`;
const PASSWORD = 'correct horse battery';

/** The payload of a JWT (the emulator's are unsigned); for checking which user a token names. */
const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number };

describe('account', () => {
  it('[FBA6] is off until configured: no token, and sign-in says what to set up', async () => {
    const account = service();
    expect(await account.status()).toEqual({ configured: false, emulator: false });
    expect(await account.idToken(false)).toBeUndefined();
    await expect(account.signIn(email(), PASSWORD)).rejects.toMatchObject({
      code: 'account_not_configured',
      message: expect.stringContaining('API key'),
    });
    expect(await account.configure({ ...settings, apiKey: '' })).toBe(false); // still off
  });

  it('[FBA6] creates an account, signs out and in, and hands out ID tokens for the signed-in user', async () => {
    let changes = 0;
    const account = service(() => changes++);
    expect(await account.configure(settings)).toBe(true);
    expect(await account.configure({ ...settings })).toBe(false); // unchanged: nothing restarts
    expect(await account.status()).toEqual({ configured: true, emulator: true });
    expect(await account.idToken(false)).toBeUndefined();

    const address = email();
    const created = await account.signIn(address, PASSWORD, true);
    expect(created).toMatchObject({ configured: true, emulator: true, user: { email: address } });
    const uid = created.user!.uid;
    const token = (await account.idToken(false))!;
    expect(claims(token).sub).toBe(uid);
    // Forced: a newly minted token for the same user.
    expect(claims((await account.idToken(true))!).sub).toBe(uid);

    await account.signOut();
    expect(await account.status()).toEqual({ configured: true, emulator: true });
    expect(await account.idToken(true)).toBeUndefined();
    expect((await account.signIn(address, PASSWORD)).user?.uid).toBe(uid);
    await expect.poll(() => changes).toBe(3); // in, out, in again
  });

  it('[FBA6] refusals carry codes that say what to do, and never the email or password', async () => {
    const account = service();
    await account.configure(settings);
    const address = email();
    await account.signIn(address, PASSWORD, true);
    await account.signOut();
    const failures = [
      [() => account.signIn(address, 'not the password'), 'account_wrong_password'],
      [() => account.signIn(email(), PASSWORD), 'account_not_found'],
      [() => account.signIn(address, PASSWORD, true), 'account_email_taken'],
      [() => account.signIn(email(), '12345', true), 'account_weak_password'],
      [() => account.signIn('not-an-email', PASSWORD, true), 'account_invalid_email'],
    ] as const;
    for (const [attempt, code] of failures) {
      const error = (await attempt().then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: string; message: string };
      expect(error).toMatchObject({ code });
      expect(error.message).not.toContain(address);
      expect(error.message).not.toContain(PASSWORD);
    }
    expect(await account.status()).not.toHaveProperty('user');
  });

  it('[FBA6] an unreachable emulator is named, with how to start it', async () => {
    const account = service();
    await account.configure({ ...settings, emulatorUrl: 'http://127.0.0.1:9' });
    await expect(account.signIn(email(), PASSWORD)).rejects.toMatchObject({
      code: 'account_unreachable',
      message: expect.stringContaining('http://127.0.0.1:9'),
    });
  });

  it('[FBA6] the next session (after a lock, or a worker restart) finds the person still signed in', async () => {
    const first = service(undefined, 'account-test-restart');
    await first.configure(settings);
    const address = email();
    await first.signIn(address, PASSWORD, true);
    void first.close(); // as a lock does: not awaited, the next unlock may come at once
    const next = service(undefined, 'account-test-restart');
    await next.configure(settings);
    expect((await next.status()).user?.email).toBe(address);
    expect(await next.idToken(false)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
  });

  it('[FBA6] another project (or none) replaces the running one', async () => {
    const account = service();
    await account.configure(settings);
    await account.signIn(email(), PASSWORD, true);
    expect(await account.configure({ ...settings, apiKey: '', projectId: '' })).toBe(true);
    expect(await account.status()).toEqual({ configured: false, emulator: false });
    expect(await account.idToken(false)).toBeUndefined();
  });
});
