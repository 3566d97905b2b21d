import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeIssue } from './field-words';

const issueOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a refusal');
  return result.error.issues[0];
};

describe('wording refused input', () => {
  it('[CLR1] a malformed relay address says what is expected, never "relayUrl: Invalid URL"', () => {
    const schema = z.object({ relayUrl: z.url({ protocol: /^(https?|wss?)$/ }) }).strict();
    const { field, message } = describeIssue(issueOf(schema, { relayUrl: 'relay example org' }));
    expect(field).toBe('relayUrl');
    expect(message).toMatch(/^Relay address: .*wss:\/\/relay\.example\.org/);
    expect(message).not.toMatch(/relayUrl|Invalid URL/);
  });

  it('[CLR1] a schema’s own words are kept, behind the field’s name', () => {
    const schema = z.object({ dayStart: z.string().regex(/^\d\d:\d\d$/, 'use HH:MM') });
    expect(describeIssue(issueOf(schema, { dayStart: '9' }))).toEqual({
      field: 'dayStart',
      message: 'Day starts: use HH:MM.',
    });
  });

  it('[CLR1] library defaults (too short, missing) become the field’s expectation', () => {
    const pass = z.object({ passphrase: z.string().min(8) });
    expect(describeIssue(issueOf(pass, { passphrase: 'short' })).message).toBe(
      'Passphrase: use at least 8 characters.',
    );
    expect(describeIssue(issueOf(pass, {})).message).toMatch(/^Passphrase: fill it in/);
    const nested = z.object({ google: z.object({ authUrl: z.url() }) });
    const google = describeIssue(issueOf(nested, { google: { authUrl: 'nope' } }));
    expect(google.field).toBe('google.authUrl');
    expect(google.message).toMatch(/^Google sign-in address: use a full web address/);
  });

  it('[CLR1] an unknown field or an unnamed one still gets a sentence a person can act on', () => {
    expect(describeIssue(issueOf(z.object({}).strict(), { extra: 1 })).message).toMatch(/Reload this page/);
    expect(describeIssue(issueOf(z.object({ zzz: z.number() }), { zzz: 'a' })).message).toBe(
      'One of the fields: check what you typed.',
    );
    expect(describeIssue(undefined).message).toMatch(/Check each field/);
  });
});
