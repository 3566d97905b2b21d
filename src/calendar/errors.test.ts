import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors';
import { CalendarError, calendarErrorToRpc, type CalendarErrorCode } from '.';

// Every CalendarErrorCode, spelled out: a code added to the union must be added here (and to the map).
const CODES = [
  'reconnect_required',
  'quota_exhausted',
  'rate_limited',
  'server_error',
  'sync_token_expired',
  'not_found',
  'gone',
  'duplicate',
  'precondition_failed',
  'forbidden',
  'bad_request',
  'bad_response',
  'network',
  'invalid_input',
  'unknown_time_zone',
  'unexpected',
  'ics_too_large',
  'ics_invalid',
  'ics_too_many_events',
  'ics_address_gone',
  'ics_refused',
  'google_not_configured',
  'cache_damaged',
  'aborted',
] as const satisfies readonly CalendarErrorCode[];
type Missing = Exclude<CalendarErrorCode, (typeof CODES)[number]>;
const allListed: Missing extends never ? true : false = true;

describe('calendarErrorToRpc', () => {
  it.each(CODES)('maps %s to a known, non-internal RPC code with a message saying what to do', (code) => {
    expect(allListed).toBe(true);
    const rpc = calendarErrorToRpc(new CalendarError(code, 'Google said: Lunch with Dana is invalid'));
    expect(rpc).toBeDefined();
    expect(ERROR_CODES).toContain(rpc!.code);
    expect(rpc!.code).not.toBe('internal');
    expect(rpc!.message).toMatch(/^[A-Z].{20,}\.$/);
    expect(rpc!.message).not.toContain('Dana'); // never the original message, which may quote Google
  });

  it('sends a lapsed Google token to reconnecting, and leaves other errors alone', () => {
    expect(calendarErrorToRpc(new CalendarError('reconnect_required', 'x'))?.code).toBe(
      'calendar_reconnect_required',
    );
    expect(calendarErrorToRpc(new Error('reconnect_required'))).toBeUndefined();
    expect(calendarErrorToRpc({ code: 'network' })).toBeUndefined();
  });
});
