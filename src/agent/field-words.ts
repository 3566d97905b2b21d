import type { z } from 'zod';

/**
 * [CLR1] What a field is called and what it expects, in the person's words. The registry words every
 * refused input with this table (docs/protocol/interface-home.md): a message names the field as the form
 * does ("Relay address") and says what to type — never a schema path or a library's "Invalid URL". The
 * field's path travels apart (`ErrorShape.field`) for forms that mark the field.
 */
interface FieldWords {
  readonly label: string;
  /** What a well-formed value looks like; used when the schema's own words are a library default. */
  readonly expect: string;
}

const URL_EXPECT = 'use a full web address starting with https://, such as https://api.example.org';

const FIELDS: Readonly<Record<string, FieldWords>> = {
  relayUrl: {
    label: 'Relay address',
    expect:
      'use the full address your relay’s operator gave you, starting with wss:// or https:// — for example wss://relay.example.org',
  },
  displayName: { label: 'Your name', expect: 'type the name your contacts will see (1 to 60 characters)' },
  passphrase: { label: 'Passphrase', expect: 'use at least 8 characters' },
  contactId: { label: 'Contact', expect: 'choose one of your contacts' },
  contactIds: { label: 'People', expect: 'choose at least one of your contacts (at most 19)' },
  text: { label: 'Message', expect: 'write between 1 and 4000 characters' },
  code: { label: 'Invite code', expect: 'paste the whole code your contact sent you' },
  name: { label: 'Name', expect: 'use 1 to 60 characters' },
  title: { label: 'Meeting title', expect: 'use 1 to 200 characters' },
  durationMin: { label: 'Length', expect: 'choose between 5 minutes and 8 hours' },
  withinDays: { label: 'Within', expect: 'choose between 1 and 60 days' },
  window: { label: 'When', expect: 'a time range that ends after it starts and spans at most 60 days' },
  timeZone: { label: 'Time zone', expect: 'a time zone such as Europe/Berlin' },
  dayStart: { label: 'Day starts', expect: 'a time as HH:MM, such as 09:00' },
  dayEnd: { label: 'Day ends', expect: 'a time as HH:MM, such as 17:00 (or 24:00)' },
  bufferMin: { label: 'Buffer', expect: 'minutes between 0 and 240' },
  minimumNoticeMin: { label: 'Minimum notice', expect: 'minutes between 0 and 20160 (two weeks)' },
  maxMeetingsPerDay: { label: 'Meetings per day', expect: 'a number between 0 and 50, or no limit' },
  apiKey: { label: 'API key', expect: 'paste the key exactly as you were given it' },
  projectId: { label: 'Project id', expect: 'lower-case letters, digits and -' },
  authDomain: { label: 'Auth domain', expect: 'a host name such as my-app.firebaseapp.com' },
  emulatorUrl: { label: 'Auth emulator', expect: 'an address such as http://127.0.0.1:9099, or nothing' },
  baseUrl: { label: 'Model address', expect: URL_EXPECT },
  model: { label: 'Model', expect: 'a model name such as gpt-4o-mini or llama3.1:8b' },
  clientId: { label: 'OAuth client id', expect: 'the client id from the Google Cloud console' },
  authUrl: { label: 'Google sign-in address', expect: URL_EXPECT },
  tokenUrl: { label: 'Google token address', expect: URL_EXPECT },
  revokeUrl: { label: 'Google revoke address', expect: URL_EXPECT },
  apiBaseUrl: { label: 'Google Calendar API address', expect: URL_EXPECT },
  negotiationId: { label: 'Meeting', expect: 'choose one of your meetings' },
  proposalId: { label: 'Proposal', expect: 'choose a proposal your agent made' },
};

/** Messages zod writes itself: replaced by the field's own expectation. */
const LIBRARY_WORDS = /^(Invalid|Too (small|big)|Unrecognized|Expected|Required)/;

export interface FieldProblem {
  /** The field's path, e.g. `relayUrl` or `google.authUrl` (for forms; never shown as such). */
  readonly field: string;
  readonly message: string;
}

/** [CLR1] One schema issue → the field's path and a sentence that says what is expected. */
export function describeIssue(issue: z.core.$ZodIssue | undefined): FieldProblem {
  if (!issue) return { field: 'input', message: 'That input is not valid. Check each field and try again.' };
  const path = issue.path.map(String);
  const field = path.length ? path.join('.') : 'input';
  if (issue.code === 'unrecognized_keys') {
    return { field, message: 'The agent does not know one of the fields it was sent. Reload this page.' };
  }
  const key = [...path].reverse().find((p) => !/^\d+$/.test(p));
  const words = key ? FIELDS[key] : undefined;
  const label = words?.label ?? 'One of the fields';
  const own = issue.message && !LIBRARY_WORDS.test(issue.message) ? issue.message : undefined;
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  const expect = missing
    ? `fill it in (${words?.expect ?? 'it is needed'})`
    : (own ?? words?.expect ?? 'check what you typed');
  return { field, message: `${label}: ${sentence(expect)}` };
}

const sentence = (text: string) => {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};
