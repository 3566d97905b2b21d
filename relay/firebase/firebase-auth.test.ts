// Firebase ID tokens at login (FBA*), against the real Auth emulator and the real client SDK.
// What the emulator cannot prove: it accepts unsigned (alg "none") tokens for existing users.
// That is why the relay refuses emulator mode outside dev mode (FBA4); forged tokens are proven
// refused by firebase-admin's real path, with keys served locally, in forged-tokens.test.ts (FBA10).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth } from 'firebase/auth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../config';
import { createRelay, type Relay } from '../server';
import {
  envelopeId,
  makeAgent,
  openSocket,
  request,
  type ClientSocket,
  type TestAgent,
} from '../test-client';
import { startAuthEmulator, unsignedEmulatorToken, type AuthEmulator } from '../testing/firebase-emulator';
import { firebaseTokenVerifier } from './token-verifier';

let emulator: AuthEmulator;
let client: FirebaseApp;
let relay: Relay;
let url: string;
let clock = Date.now();
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  emulator = await startAuthEmulator();
  // firebase-admin reads this at verification time; this worker process is ours alone.
  process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.host;
  client = initializeApp({ apiKey: 'demo-key', projectId: emulator.projectId }, `client-${Date.now()}`);
  connectAuthEmulator(getAuth(client), `http://${emulator.host}`, { disableWarnings: true });
  relay = createRelay({ tokenVerifier: firebaseTokenVerifier(emulator.projectId), now: () => clock });
  ({ url } = await relay.listen(0));
}, 300_000);

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await relay?.close();
  if (client) await deleteApp(client);
  await emulator?.stop();
  delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
}, 30_000);

afterEach(() => {
  clock = Date.now();
});

let users = 0;
async function signUp() {
  const credential = await createUserWithEmailAndPassword(
    getAuth(client),
    `user${++users}-${Date.now()}@example.com`,
    'correct horse battery',
  );
  return { uid: credential.user.uid, token: await credential.user.getIdToken(), user: credential.user };
}

async function loginWith(agent: TestAgent, firebaseToken?: string) {
  const socket = await openSocket(url);
  sockets.push(socket);
  const { nonce } = await request(socket, 'auth:challenge', {});
  const result = await request(socket, 'auth:login', {
    agentId: agent.agentId,
    nonce,
    signature: agent.signLogin(nonce),
    ...(firebaseToken === undefined ? {} : { firebaseToken }),
  });
  return { socket, result };
}

const emulatorToken = (uid: string, claims: Record<string, number>) =>
  unsignedEmulatorToken(emulator.projectId, uid, claims);

describe('Firebase ID tokens', () => {
  it('[FBA1] logs in with a valid token from the client SDK, and refuses a login without one', async () => {
    const { token } = await signUp();
    const agent = makeAgent();
    expect((await loginWith(agent, token)).result).toEqual({ ok: true, agentId: agent.agentId });
    expect((await loginWith(makeAgent())).result).toMatchObject({
      ok: false,
      error: { code: 'firebase_token_required' },
    });
  });

  it('[FBA2] refuses garbage and malformed tokens with their codes', async () => {
    const junkJwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    expect((await loginWith(makeAgent(), junkJwt)).result).toMatchObject({
      error: { code: 'firebase_token_invalid' },
    });
    expect((await loginWith(makeAgent(), 'not a jwt')).result).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect((await loginWith(makeAgent(), 'a'.repeat(9000))).result).toMatchObject({
      error: { code: 'bad_request' },
    });
    // A token for a project other than the relay's.
    const { uid } = await signUp();
    const otherAudience = emulatorToken(uid, { exp: Math.floor(Date.now() / 1000) + 3600 }).replace(
      /^([^.]+)\.([^.]+)\./,
      (_m, h: string, p: string) => {
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
        return `${h}.${Buffer.from(JSON.stringify({ ...payload, aud: 'another-project' })).toString('base64url')}.`;
      },
    );
    expect((await loginWith(makeAgent(), otherAudience)).result).toMatchObject({
      error: { code: 'firebase_token_invalid' },
    });
  });

  it('[FBA2] refuses an expired token with firebase_token_expired', async () => {
    const { uid } = await signUp();
    const expired = emulatorToken(uid, {});
    expect((await loginWith(makeAgent(), expired)).result).toMatchObject({
      error: { code: 'firebase_token_expired' },
    });
  });

  it('[FBA3] binds the agent to the first account; another account’s token is refused for it', async () => {
    const first = await signUp();
    const second = await signUp();
    const agent = makeAgent();
    expect((await loginWith(agent, first.token)).result).toMatchObject({ ok: true });
    expect((await loginWith(agent, second.token)).result).toMatchObject({
      ok: false,
      error: { code: 'firebase_uid_mismatch' },
    });
    // The second account is fine for an agent of its own, and the first still logs in.
    expect((await loginWith(makeAgent(), second.token)).result).toMatchObject({ ok: true });
    expect((await loginWith(agent, first.token)).result).toMatchObject({ ok: true });
  });

  it('[FBA5] refuses requests once the token expired, until auth:refresh brings a fresh one', async () => {
    const { token, uid, user } = await signUp();
    const agent = makeAgent();
    const { socket } = await loginWith(agent, token);
    const send = () => request(socket, 'send', { id: envelopeId(), to: agent.agentId, payload: 'AAAA' });
    expect(await send()).toMatchObject({ ok: true });
    clock = Date.now() + 2 * 3600_000;
    expect(await send()).toMatchObject({ error: { code: 'firebase_token_expired' } });
    expect(await request(socket, 'auth:refresh', { firebaseToken: emulatorToken(uid, {}) })).toMatchObject({
      error: { code: 'firebase_token_expired' },
    });
    const other = await signUp();
    expect(await request(socket, 'auth:refresh', { firebaseToken: other.token })).toMatchObject({
      error: { code: 'firebase_uid_mismatch' },
    });
    // Back to just past the first token's expiry: refused, until a token minted later is sent.
    const firstExp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp * 1000;
    clock = firstExp + 500;
    expect(await send()).toMatchObject({ error: { code: 'firebase_token_expired' } });
    await new Promise((r) => setTimeout(r, 1100)); // token times are whole seconds
    const refreshed = await request(socket, 'auth:refresh', { firebaseToken: await user.getIdToken(true) });
    expect(refreshed).toMatchObject({ ok: true });
    expect(refreshed.expiresAt).toBeGreaterThan(clock);
    expect(await send()).toMatchObject({ ok: true });
  });
});

describe('emulator guard', () => {
  it('[FBA4] refuses to start against the emulator unless in development mode', () => {
    const env = { FIREBASE_PROJECT_ID: 'demo-parley', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' };
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(configFromEnv({ ...env, RELAY_DEV_MODE: '1' })).toMatchObject({
      devMode: true,
      firebaseProjectId: 'demo-parley',
    });
    const root = path.resolve(import.meta.dirname, '../..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('RELAY_DEV_MODE=1');
  });
});
