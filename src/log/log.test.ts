import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED, clearLog, configureLog, createLogger, errorFields, recentLogLines, type LogLine } from '.';

describe('[LOG1] the extension logger keeps no user data', () => {
  let written: LogLine[];
  beforeEach(() => {
    written = [];
    clearLog();
    configureLog({
      level: 'debug',
      consoleLevel: 'error',
      capacity: 500,
      now: () => 42,
      write: (l) => written.push(l),
    });
  });
  afterEach(() => configureLog({ level: 'info', consoleLevel: 'warn', write: null, now: Date.now }));

  it('keeps identifiers and numbers, redacts free text, e-mails, tokens and names', () => {
    const log = createLogger('agent').child('negotiator');
    log.warn('booking_failed', {
      code: 'calendar_failed',
      phase: 'awaiting_booking',
      attempts: 3,
      retry: true,
      title: 'Lunch with Dana',
      email: 'dana@example.com',
      token: 'ya29.A0ARrdaM-very-long-access-token-value-that-goes-on-and-on',
      name: 'Ben',
      nothing: undefined,
    });
    expect(written).toEqual([
      {
        at: 42,
        level: 'warn',
        ns: 'agent:negotiator',
        event: 'booking_failed',
        fields: {
          code: 'calendar_failed',
          phase: 'awaiting_booking',
          attempts: 3,
          retry: true,
          title: REDACTED,
          email: REDACTED,
          token: REDACTED,
          name: REDACTED,
        },
      },
    ]);
  });

  it('redacts an object smuggled past the types, and an event name that is free text', () => {
    const log = createLogger('peers');
    log.error('Message from Ben: hi', { body: { text: 'secret' } as unknown as string });
    expect(written[0]).toMatchObject({ event: REDACTED, fields: { body: REDACTED } });
  });

  it('logs an error by class and code, never by message', () => {
    const error = Object.assign(new Error('could not book "Dinner with Ana"'), { code: 'quota_exceeded' });
    expect(errorFields(error)).toEqual({ error: 'error', code: 'quota_exceeded' });
    expect(errorFields(new TypeError('x is Dana'))).toEqual({ error: 'type_error' });
    expect(errorFields(Object.assign(new Error(), { name: 'CalendarError' }))).toEqual({
      error: 'calendar_error',
    });
    expect(errorFields('a string thrown')).toEqual({ error: 'string' });
    expect(errorFields(Object.assign(new Error(), { code: 'Dana Smith' }))).toEqual({ error: 'error' });
    expect(errorFields(Object.assign(new Error(), { name: 'Dana Smith' }))).toEqual({ error: 'error' });
    // Through the logger the class survives as an identifier; a name under `error` does not.
    const log = createLogger('calendar');
    log.warn('sync_failed', errorFields(Object.assign(new TypeError('x'), { code: 'network' })));
    log.warn('odd', { error: 'Dana' });
    expect(written.map((l) => l.fields)).toEqual([
      { error: 'type_error', code: 'network' },
      { error: REDACTED },
    ]);
  });

  it('keeps only the most recent lines, below the level nothing', () => {
    configureLog({ level: 'info', capacity: 3 });
    const log = createLogger('link');
    log.debug('ignored');
    for (let i = 0; i < 5; i++) log.info('tick', { i });
    expect(recentLogLines().map((l) => l.fields.i)).toEqual([2, 3, 4]);
    expect(written.map((l) => l.event)).not.toContain('ignored');
  });
});
