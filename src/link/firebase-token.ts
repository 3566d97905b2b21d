import { fromBase64Url } from '../crypto';

export interface TokenTimes {
  /** `iat`, ms since the epoch. */
  readonly issuedAt: number;
  /** `exp`, ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * When a Firebase ID token was minted and when it expires, read from its claims without verifying it:
 * the link only schedules its refresh with these; the relay verifies the token itself (FBA1).
 */
export function tokenTimes(idToken: string): TokenTimes | undefined {
  const payload = idToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as {
      iat?: unknown;
      exp?: unknown;
    };
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || !(exp > iat)) return undefined;
    return { issuedAt: iat * 1000, expiresAt: exp * 1000 };
  } catch {
    // Not a JWT we can read: no refresh is scheduled; the relay refusing the token triggers a new one.
    return undefined;
  }
}
