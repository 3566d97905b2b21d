import { z } from 'zod';
import { CommandSchema, type CommandContext } from '../command';
import type { Redacted } from '../redact';

/**
 * The answer's shape for `responseConstraint`, generated from `CommandSchema` so the two cannot drift. The
 * `$schema` line is dropped: it tells the model nothing.
 */
export function commandJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(CommandSchema) as Record<string, unknown>;
  return schema;
}

/** The conventions, briefly (CONVENTIONS.md is the full text); the same for every request. */
export const SYSTEM_PROMPT = [
  'You turn one command a person typed to their scheduling assistant into one JSON object.',
  'You are given only the person’s own words, today’s date and their time zone — nothing anyone else wrote.',
  'Names of the person’s contacts are replaced by placeholders: Contact 1, Contact 2… each stand for one contact',
  'or for a first name several contacts share. Copy placeholders exactly; never guess a name.',
  'E-mail addresses, phone numbers and links appear as [email], [phone] and [url].',
  'intent: schedule, agenda, cancel, reschedule, message, invite, help or unknown.',
  'participants: the placeholders of the people the command is about (never the person themself: me, I, we).',
  'unresolved: names as typed that are not placeholders (without a possessive ’s).',
  'durationMinutes: the length asked for, as whole minutes, else null.',
  'window: the local dates asked about, {"from","to"} as YYYY-MM-DD, both ends inclusive, else null;',
  'weeks run Monday to Sunday; agenda with no period means today..today.',
  'partOfDay: morning, afternoon or evening, else null.',
  'text: for message only, the body verbatim (placeholders and [email], [phone], [url] as they are), else null.',
  'For invite, help and unknown every other field is empty: [] or null.',
].join('\n');

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** One request: the clock, the placeholders in play and the person's words (already redacted). */
export function userPrompt(
  redacted: Pick<Redacted, 'text' | 'placeholders'>,
  context: Pick<CommandContext, 'now' | 'timeZone'>,
): string {
  const today = context.now.slice(0, 10);
  const weekday = WEEKDAYS[new Date(`${today}T12:00:00Z`).getUTCDay()] ?? '';
  const names = Object.entries(redacted.placeholders).map(
    ([label, p]) => `${label} (${p.kind === 'contact' ? 'one contact' : 'several contacts'})`,
  );
  return [
    `Now: ${context.now} (${weekday}), time zone ${context.timeZone}.`,
    `Placeholders: ${names.length ? names.join(', ') : 'none'}.`,
    `Command: ${redacted.text}`,
  ].join('\n');
}
