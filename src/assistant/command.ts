import { z } from 'zod';

/**
 * What a person's words mean to the agent: one typed command, as specified in
 * `../shared/vectors/commands/CONVENTIONS.md` and `docs/protocol/commands.md`. Every way of understanding
 * (the built-in parser, an OpenAI-compatible model, Chrome's on-device model) produces this shape, and
 * code — never a model — turns it into an action the person confirms.
 */
export const INTENTS = [
  'schedule',
  'agenda',
  'cancel',
  'reschedule',
  'message',
  'invite',
  'help',
  'unknown',
] as const;
export const PARTS_OF_DAY = ['morning', 'afternoon', 'evening'] as const;

/** A local calendar date, `YYYY-MM-DD`. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date such as 2026-12-07');

export const CommandSchema = z
  .object({
    intent: z.enum(INTENTS),
    /** Display names copied exactly from the person's contacts. */
    participants: z.array(z.string().min(1).max(120)).max(20),
    /** Names as typed that match no contact, or more than one. */
    unresolved: z.array(z.string().min(1).max(120)).max(20),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .nullable(),
    /** Local dates, both ends inclusive. */
    window: z.object({ from: LocalDate, to: LocalDate }).strict().nullable(),
    partOfDay: z.enum(PARTS_OF_DAY).nullable(),
    /** The message body, verbatim (intent `message` only). */
    text: z.string().max(4000).nullable(),
  })
  .strict();

export type Command = z.infer<typeof CommandSchema>;
export type Intent = Command['intent'];

/** A command of this intent with every other field empty, then `fields` on top. */
export function commandOf(intent: Intent, fields: Partial<Omit<Command, 'intent'>> = {}): Command {
  return {
    intent,
    participants: [],
    unresolved: [],
    durationMinutes: null,
    window: null,
    partOfDay: null,
    text: null,
    ...fields,
  };
}

/** What a command is understood against: the person's own clock, zone and contact names. */
export interface CommandContext {
  /** The person's local wall-clock time, `YYYY-MM-DDTHH:mm:ss`, no offset. Today is its date. */
  readonly now: string;
  readonly timeZone: string;
  /** Display names of the person's contacts. */
  readonly contacts: readonly string[];
  /**
   * The earlier requests of this conversation, summarised by code (chat.ts `summarizeTurns`, CHT4): lines
   * that may name contacts (a model gets them as placeholders). Ways that keep no context ignore it.
   */
  readonly earlier?: readonly string[];
}

/** One way of understanding: the built-in parser, a cloud model, or the on-device model. */
export interface Understanding {
  readonly provider: 'builtin' | 'openai' | 'on-device';
  understand(text: string, context: CommandContext, signal?: AbortSignal): Promise<Command>;
}
