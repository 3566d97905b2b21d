import { ERROR_CODES, ParleyError, type ErrorCode, type ErrorShape } from '../errors';

/** What each Firebase Auth error means for the person, and what to do about it. */
const KNOWN: Record<string, [ErrorCode, string]> = {
  'auth/wrong-password': [
    'account_wrong_password',
    'Wrong password for this account. Type it again, or create a new account with another email.',
  ],
  // With email enumeration protection on (the default for new projects), Firebase does not say which.
  'auth/invalid-credential': [
    'account_wrong_password',
    'Wrong email or password. Check both, or choose “Create account” if you have none yet.',
  ],
  'auth/invalid-login-credentials': [
    'account_wrong_password',
    'Wrong email or password. Check both, or choose “Create account” if you have none yet.',
  ],
  'auth/user-not-found': [
    'account_not_found',
    'No account has this email. Check it, or choose “Create account”.',
  ],
  'auth/email-already-in-use': [
    'account_email_taken',
    'An account with this email already exists. Sign in with it instead.',
  ],
  'auth/weak-password': [
    'account_weak_password',
    'That password is too weak: use at least 6 characters (longer is better).',
  ],
  'auth/password-does-not-meet-requirements': [
    'account_weak_password',
    'That password does not meet your Firebase project’s password policy. Choose a longer one.',
  ],
  'auth/invalid-email': ['account_invalid_email', 'That is not an email address Firebase accepts.'],
  'auth/missing-email': ['account_invalid_email', 'Type your email address.'],
  'auth/missing-password': ['account_wrong_password', 'Type your password.'],
  'auth/user-disabled': [
    'account_disabled',
    'This account is disabled. Ask whoever runs your Firebase project to enable it.',
  ],
  'auth/user-token-expired': ['account_failed', 'Your sign-in has expired. Sign in again.'],
  'auth/too-many-requests': ['account_throttled', 'Too many attempts. Wait a few minutes, then try again.'],
  'auth/invalid-api-key': [
    'account_config_invalid',
    'Firebase refused the API key. Copy it again from your Firebase project settings.',
  ],
  'auth/api-key-not-valid.-please-pass-a-valid-api-key.': [
    'account_config_invalid',
    'Firebase refused the API key. Copy it again from your Firebase project settings.',
  ],
  'auth/configuration-not-found': [
    'account_config_invalid',
    'Firebase has no Authentication set up for this project. Enable it, with Email/Password sign-in, in the Firebase console.',
  ],
  'auth/operation-not-allowed': [
    'account_config_invalid',
    'Email/Password sign-in is turned off for this Firebase project. Turn it on in the Firebase console.',
  ],
  'auth/project-not-found': [
    'account_config_invalid',
    'Firebase knows no such project. Check the project id in the Account settings.',
  ],
};

/**
 * A Firebase Auth failure → a ParleyError with a code to switch on and a message saying what to do.
 * Never carries the email, the password or a token (only Firebase's error code, as the cause).
 */
export function accountError(error: unknown, emulatorUrl?: string): ParleyError {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = typeof code === 'string' ? { code } : undefined;
  if (code === 'auth/network-request-failed' || code === 'auth/timeout') {
    return new ParleyError(
      'account_unreachable',
      emulatorUrl
        ? `Could not reach the Firebase Auth emulator at ${emulatorUrl}. Start it (firebase emulators:start --only auth) or fix the emulator address in the Account settings.`
        : 'Could not reach Firebase. Check your connection and try again.',
      { cause },
    );
  }
  const known = typeof code === 'string' ? KNOWN[code] : undefined;
  if (known) return new ParleyError(known[0], known[1], { cause });
  return new ParleyError(
    'account_failed',
    `Firebase refused the sign-in${typeof code === 'string' ? ` (${code.slice(0, 80)})` : ''}. Try again.`,
    { cause },
  );
}

/** The account codes accountError produces: a ParleyError with one of these is the account's. */
export const ACCOUNT_ERROR_CODES: readonly ErrorCode[] = ERROR_CODES.filter((code) =>
  code.startsWith('account_'),
);

/**
 * An account failure → what crosses the RPC boundary: the ParleyError accountError made, or a raw Firebase
 * Auth error (`auth/…`) mapped the same way; `undefined` for anything else.
 */
export function accountErrorToRpc(error: unknown): ErrorShape | undefined {
  if (error instanceof ParleyError)
    return ACCOUNT_ERROR_CODES.includes(error.code) ? error.toJSON() : undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('auth/') ? accountError(error).toJSON() : undefined;
}
