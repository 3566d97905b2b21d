import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors';
import { CryptoError } from './box';
import { E2eError, e2eErrorToRpc, type E2eErrorCode } from '.';

const CODES = [
  'bad_key',
  'low_order_point',
  'bad_nonce',
  'bad_signature',
  'bad_bundle',
  'malformed_message',
  'decrypt_failed',
  'replay',
  'too_many_skipped',
  'unknown_prekey',
  'session_mismatch',
  'bad_state',
] as const satisfies readonly E2eErrorCode[];
type Missing = Exclude<E2eErrorCode, (typeof CODES)[number]>;
const allListed: Missing extends never ? true : false = true;

describe('e2eErrorToRpc', () => {
  it.each(CODES)('maps %s to a known, non-internal RPC code with a message saying what to do', (code) => {
    expect(allListed).toBe(true);
    const rpc = e2eErrorToRpc(new E2eError(code, 'key 0x1234 failed'));
    expect(ERROR_CODES).toContain(rpc!.code);
    expect(rpc!.code).not.toBe('internal');
    expect(rpc!.message).toMatch(/^[A-Z].{20,}\.$/);
    expect(rpc!.message).not.toContain('0x1234');
  });

  it('maps the one-shot box’s CryptoError too, and nothing else', () => {
    for (const code of ['decrypt_failed', 'bad_input'] as const) {
      expect(e2eErrorToRpc(new CryptoError(code, 'x'))?.code).toBe('session_failed');
    }
    expect(e2eErrorToRpc(new Error('decrypt_failed'))).toBeUndefined();
    expect(e2eErrorToRpc(undefined)).toBeUndefined();
  });
});
