// Forged Firebase ID tokens, refused through firebase-admin's real verification path (FBA10).
// The Auth emulator cannot show this (it accepts unsigned tokens, FBA4), and Google's keys are
// out of reach here: the keys are served on this machine instead (relay/testing/google-keys.ts)
// and the tokens are minted with jose, as Firebase would sign them (RS256, with a `kid`).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../server';
import { makeAgent, openSocket, request, type ClientSocket } from '../test-client';
import { GOOGLE_KEYS_PATH, serveGoogleKeys, type GoogleKeys } from '../testing/google-keys';
import { firebaseTokenVerifier, TokenRefused, type TokenVerifier } from './token-verifier';

const PROJECT = 'parley-forgery-test';
const ISSUER = `https://securetoken.google.com/${PROJECT}`;

let keys: GoogleKeys;
let verifier: TokenVerifier;

beforeAll(async () => {
  // In emulator mode firebase-admin skips the signature check: this file proves the real one.
  delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
  keys = await serveGoogleKeys();
  verifier = firebaseTokenVerifier(PROJECT, { httpAgent: keys.httpAgent });
});

afterAll(async () => {
  await keys?.stop();
});

interface Mint {
  uid?: string;
  key?: KeyObject;
  kid?: string;
  audience?: string;
  issuer?: string;
  /** Seconds from now. */
  issuedAt?: number;
  expiresIn?: number;
}

const seconds = () => Math.floor(Date.now() / 1000);
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A Firebase ID token as Google would sign it; each option forges one part. */
function mint(options: Mint = {}): Promise<string> {
  const iat = seconds() + (options.issuedAt ?? -60);
  return new SignJWT({ auth_time: iat, firebase: { sign_in_provider: 'password', identities: {} } })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? keys.kid })
    .setSubject(options.uid ?? 'uid-alice')
    .setAudience(options.audience ?? PROJECT)
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expiresIn ?? 3600))
    .sign(options.key ?? keys.privateKey);
}

/** How the verifier refused a token: the relay's code, firebase-admin's, and its message. */
async function refusal(token: string) {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TokenRefused)) return error;
  return { code: error.code, reason: error.reason, message: (error.cause as Error).message };
}

const refused = (code: string, reason: string, why: string) => ({
  code,
  reason,
  message: expect.stringContaining(why),
});

let relay: Relay | undefined;
const sockets: ClientSocket[] = [];
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await relay?.close();
});

describe('forged Firebase ID tokens (firebase-admin verifyIdToken, keys served locally)', () => {
  it('[FBA10] accepts a token signed with Google’s key, fetched through the configured agent', async () => {
    const verified = await verifier.verify(await mint({ uid: 'uid-genuine' }));
    expect(verified.uid).toBe('uid-genuine');
    expect(verified.expiresAt).toBeGreaterThan(Date.now());
    // The real path ran: the keys were fetched, from here, and nothing else was asked for.
    expect(keys.requests).toContain(GOOGLE_KEYS_PATH);
    expect(keys.requests.filter((p) => p !== GOOGLE_KEYS_PATH)).toEqual([]);
  });

  it('[FBA10] refuses a wrong key, a tampered payload, an expired token, an unknown kid, a wrong audience or issuer, and alg none', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const genuine = await mint({ uid: 'uid-alice' });
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    // Alice's signed token, claiming to be Mallory's.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const mallory = b64(JSON.stringify({ ...claims, sub: 'uid-mallory' }));
    // Unsigned, naming Google's key: what the emulator would take (FBA4).
    const unsigned = new UnsecuredJWT({ auth_time: seconds() - 60 })
      .setSubject('uid-alice')
      .setAudience(PROJECT)
      .setIssuer(ISSUER)
      .setIssuedAt(seconds() - 60)
      .setExpirationTime(seconds() + 3600)
      .encode()
      .replace(/^[^.]+/, b64(JSON.stringify({ alg: 'none', typ: 'JWT', kid: keys.kid })));
    const seen = {
      'wrong key': await refusal(await mint({ key: otherKey })),
      'tampered payload': await refusal(`${header}.${mallory}.${signature}`),
      expired: await refusal(await mint({ issuedAt: -7200, expiresIn: 3600 })),
      'unknown kid': await refusal(await mint({ kid: 'not-a-google-key' })),
      'wrong audience': await refusal(await mint({ audience: 'another-project' })),
      'wrong issuer': await refusal(await mint({ issuer: 'https://securetoken.google.com/another-project' })),
      'alg none': await refusal(unsigned),
    };
    const invalid = 'firebase_token_invalid';
    expect(seen).toEqual({
      'wrong key': refused(invalid, 'auth/argument-error', 'invalid signature'),
      'tampered payload': refused(invalid, 'auth/argument-error', 'invalid signature'),
      expired: refused('firebase_token_expired', 'auth/id-token-expired', 'has expired'),
      'unknown kid': refused(invalid, 'auth/argument-error', '"kid" claim which does not correspond'),
      'wrong audience': refused(invalid, 'auth/argument-error', 'incorrect "aud"'),
      'wrong issuer': refused(invalid, 'auth/argument-error', 'incorrect "iss"'),
      'alg none': refused(invalid, 'auth/argument-error', 'incorrect algorithm'),
    });
    // The untampered original still passes: each refusal is for the one part that was forged.
    expect(await verifier.verify(genuine)).toMatchObject({ uid: 'uid-alice' });
  });

  it('[FBA10] a relay on this path logs in with a genuine token and answers a forged one with its code', async () => {
    relay = createRelay({ tokenVerifier: verifier });
    const { url } = await relay.listen(0);
    const loginWith = async (firebaseToken: string) => {
      const socket = await openSocket(url);
      sockets.push(socket);
      const agent = makeAgent();
      const { nonce } = await request(socket, 'auth:challenge', {});
      return request(socket, 'auth:login', {
        agentId: agent.agentId,
        nonce,
        signature: agent.signLogin(nonce),
        firebaseToken,
      });
    };
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await loginWith(await mint({ uid: 'uid-bob' }))).toMatchObject({ ok: true });
    expect(await loginWith(await mint({ uid: 'uid-bob', key: otherKey }))).toEqual({
      ok: false,
      error: { code: 'firebase_token_invalid', message: expect.any(String) },
    });
    expect(await loginWith(await mint({ uid: 'uid-bob', issuedAt: -7200 }))).toMatchObject({
      ok: false,
      error: { code: 'firebase_token_expired' },
    });
  });
});
