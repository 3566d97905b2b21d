import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ParleyError } from '../errors';
import { ACCOUNT_ERROR_CODES, accountErrorToRpc } from '.';

// The Firebase Auth codes accountError knows (src/account/errors.ts), and two it does not.
const FIREBASE_CODES = [
  'auth/wrong-password',
  'auth/invalid-credential',
  'auth/invalid-login-credentials',
  'auth/user-not-found',
  'auth/email-already-in-use',
  'auth/weak-password',
  'auth/password-does-not-meet-requirements',
  'auth/invalid-email',
  'auth/missing-email',
  'auth/missing-password',
  'auth/user-disabled',
  'auth/user-token-expired',
  'auth/too-many-requests',
  'auth/invalid-api-key',
  'auth/api-key-not-valid.-please-pass-a-valid-api-key.',
  'auth/configuration-not-found',
  'auth/operation-not-allowed',
  'auth/project-not-found',
  'auth/network-request-failed',
  'auth/timeout',
  'auth/something-new',
];

describe('accountErrorToRpc', () => {
  it.each(FIREBASE_CODES)(
    'maps Firebase’s %s to an account code with a message saying what to do',
    (code) => {
      const rpc = accountErrorToRpc(Object.assign(new Error('dana@example.com: bad'), { code }));
      expect(ERROR_CODES).toContain(rpc!.code);
      expect(ACCOUNT_ERROR_CODES).toContain(rpc!.code);
      expect(rpc!.code).not.toBe('internal');
      expect(rpc!.message).toMatch(/^[A-Z].{10,}\.$/);
      expect(rpc!.message).not.toContain('dana@example.com');
    },
  );

  it('passes the account’s own ParleyErrors through and leaves every other error alone', () => {
    const own = new ParleyError('account_not_configured', 'Set up Firebase in Settings first.');
    expect(accountErrorToRpc(own)).toEqual(own.toJSON());
    expect(accountErrorToRpc(new ParleyError('locked', 'Unlock first.'))).toBeUndefined();
    expect(accountErrorToRpc(new Error('x'))).toBeUndefined();
    expect(ACCOUNT_ERROR_CODES.every((c) => (ERROR_CODES as readonly string[]).includes(c))).toBe(true);
  });
});
