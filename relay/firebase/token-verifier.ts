import type { Agent } from 'node:http';
import { initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { relayError, type RelayError, type RelayErrorCode } from '../protocol';

export interface VerifiedToken {
  readonly uid: string;
  /** When the token stops being valid (ms since the epoch). */
  readonly expiresAt: number;
}

export class TokenRefused extends Error {
  constructor(
    readonly code: Extract<RelayErrorCode, 'firebase_token_invalid' | 'firebase_token_expired'>,
    /** Why, in the verifier's own terms (firebase-admin's `auth/*` code): for logs, never for clients. */
    readonly reason?: string,
    options?: ErrorOptions,
  ) {
    super(code, options);
    this.name = 'TokenRefused';
  }
}

/** Checks a Firebase ID token; throws TokenRefused. */
export interface TokenVerifier {
  verify(idToken: string): Promise<VerifiedToken>;
}

/** The verified token, or the refusal to answer with when the verifier refused it (FBA2). */
export async function checkToken(
  verifier: TokenVerifier,
  token: string,
): Promise<VerifiedToken | RelayError<TokenRefused['code']>> {
  try {
    return await verifier.verify(token);
  } catch (error) {
    // A refusal is an answer; anything else fails the request (and is logged) in the guard.
    if (error instanceof TokenRefused) return relayError(error.code);
    throw error;
  }
}

let apps = 0;

export interface FirebaseVerifierOptions {
  /**
   * How firebase-admin reaches Google's public keys (`www.googleapis.com`): a proxy in
   * production, or a local server in the test that proves forged tokens are refused (FBA10).
   */
  readonly httpAgent?: Agent;
}

/** firebase-admin's `verifyIdToken` (signature, audience = project, issuer, expiry). */
export function firebaseTokenVerifier(
  projectId: string,
  options: FirebaseVerifierOptions = {},
): TokenVerifier {
  // A named app per verifier: tests run several relays (and projects) in one process.
  const app: App = initializeApp(
    { projectId, ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}) },
    `parley-relay-${++apps}`,
  );
  const auth = getAuth(app);
  return {
    async verify(idToken) {
      try {
        const decoded = await auth.verifyIdToken(idToken);
        return { uid: decoded.uid, expiresAt: decoded.exp * 1000 };
      } catch (error) {
        // Every failure of verifyIdToken is a token this relay will not take (FBA2); its code
        // tells an expired token, which a refresh mends, from any other.
        const code = (error as { code?: string }).code;
        throw new TokenRefused(
          code === 'auth/id-token-expired' ? 'firebase_token_expired' : 'firebase_token_invalid',
          code,
          { cause: error },
        );
      }
    },
  };
}
