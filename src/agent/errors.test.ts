import { describe, expect, it } from 'vitest';
import { CalendarError } from '../calendar';
import { E2eError } from '../crypto';
import { ParleyError } from '../errors';
import { SchedulingError } from '../scheduling';
import { VaultError } from '../vault';
import { AGENT_ERROR_MAPPERS, toParleyError } from './errors';

describe('[ACT4] every capability’s known errors reach the person with a code and a fix-it message', () => {
  const cases: [string, unknown, string][] = [
    ['vault', new VaultError('wrong_passphrase', 'That passphrase is not right.'), 'wrong_passphrase'],
    ['vault closed', new VaultError('closed', 'closed'), 'not_ready'],
    ['calendar', new CalendarError('reconnect_required', 'Google said 401'), 'calendar_reconnect_required'],
    ['calendar quota', new CalendarError('quota_exhausted', '403 quotaExceeded'), 'calendar_unavailable'],
    ['scheduling', new SchedulingError('invalid_time_zone', 'Mars/Olympus'), 'scheduling_invalid'],
    ['crypto', new E2eError('decrypt_failed', 'tag mismatch'), 'session_failed'],
    [
      'account',
      Object.assign(new Error('Firebase: x'), { code: 'auth/wrong-password' }),
      'account_wrong_password',
    ],
  ];

  it.each(cases)('%s', (_, error, code) => {
    const mapped = toParleyError(error, AGENT_ERROR_MAPPERS);
    expect(mapped.code).toBe(code);
    expect(mapped.message.length).toBeGreaterThan(10);
    expect(mapped.cause).toBe(error);
  });

  it('a ParleyError passes as it is; anything unknown is internal, with a message that says what to do', () => {
    const own = new ParleyError('contact_unknown', 'There is no such contact.');
    expect(toParleyError(own, AGENT_ERROR_MAPPERS)).toBe(own);
    const bug = toParleyError(new RangeError('Invalid time value for "Dana"'), AGENT_ERROR_MAPPERS);
    expect(bug.code).toBe('internal');
    expect(bug.message).not.toContain('Dana');
    expect(bug.message).toMatch(/Diagnostics/);
  });
});
