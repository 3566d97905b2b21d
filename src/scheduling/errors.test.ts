import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors';
import { SchedulingError, schedulingErrorToRpc, type SchedulingErrorCode } from '.';

const CODES = [
  'invalid_time_zone',
  'invalid_window',
  'invalid_preferences',
  'invalid_request',
  'request_too_large',
  'crypto_not_ready',
] as const satisfies readonly SchedulingErrorCode[];
type Missing = Exclude<SchedulingErrorCode, (typeof CODES)[number]>;
const allListed: Missing extends never ? true : false = true;

describe('schedulingErrorToRpc', () => {
  it.each(CODES)('maps %s to a known, non-internal RPC code with a message saying what to do', (code) => {
    expect(allListed).toBe(true);
    const rpc = schedulingErrorToRpc(new SchedulingError(code, 'durationMin must be 5–1440'));
    expect(ERROR_CODES).toContain(rpc!.code);
    expect(rpc!.code).not.toBe('internal');
    expect(rpc!.message).toMatch(/^[A-Z].{20,}\.$/);
    expect(rpc!.message).not.toContain('durationMin');
  });

  it('says a bad time zone is the person’s to fix, and leaves other errors alone', () => {
    expect(schedulingErrorToRpc(new SchedulingError('invalid_time_zone', 'x'))).toMatchObject({
      code: 'scheduling_invalid',
      message: expect.stringContaining('Preferences'),
    });
    expect(schedulingErrorToRpc(new Error('invalid_window'))).toBeUndefined();
  });
});
