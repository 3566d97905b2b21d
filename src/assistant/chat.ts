import { z } from 'zod';
import { CommandSchema, type Command } from './command';

/**
 * The conversation with the agent (docs/protocol/chat.md CHT1–CHT6): the person's words and the agent's
 * replies, each a turn, kept in the vault and in the searchable history.
 */

const Provider = z.enum(['builtin', 'openai', 'on-device']);
export const PROPOSAL_STATES = ['open', 'done', 'dismissed', 'replaced', 'expired', 'failed'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

export const ChatTurnSchema = z
  .object({
    id: z.string().min(1).max(64),
    at: z.number().finite(),
    role: z.enum(['person', 'agent']),
    /** The person's words, or the agent's reply (code's words; they may quote a meeting's title). */
    text: z.string().max(4000),
    provider: Provider.optional(),
    note: z.string().max(500).optional(),
    /** What the person's words were understood as (agent turns). */
    command: CommandSchema.optional(),
    proposal: z
      .object({
        id: z.string().min(1).max(64),
        actions: z.array(z.object({ label: z.string().max(500) }).strict()).max(20),
        state: z.enum(PROPOSAL_STATES),
      })
      .strict()
      .optional(),
    /** An agenda the reply showed (read from the local calendar cache), kept so the thread reads back. */
    agenda: z
      .object({
        range: z.object({ start: z.number(), end: z.number() }).strict(),
        items: z
          .array(
            z
              .object({
                start: z.number(),
                end: z.number(),
                allDay: z.boolean(),
                title: z.string().max(1000),
                byParley: z.boolean(),
              })
              .strict(),
          )
          .max(500),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ChatTurn = z.infer<typeof ChatTurnSchema>;

/** How much of the earlier conversation a model may be given, in UTF-8 bytes (CHT4). */
export const SUMMARY_BUDGET_BYTES = 600;
const SUMMARY_TURNS = 8;

const STATE_WORDS: Record<ProposalState, string> = {
  open: 'proposed, waiting for confirmation',
  done: 'confirmed',
  dismissed: 'dropped',
  replaced: 'changed by a later request',
  expired: 'expired unconfirmed',
  failed: 'failed',
};

/**
 * [CHT4] The earlier turns, summarised on the device by code for a model's context: for each recent
 * request, what it was understood as (intent, who, how long, when, part of the day) and what became of it.
 * Built from the structured commands only, never from text: no message body, no reply (a reply may quote a
 * peer's meeting title), no agenda. Names stay names here; the caller replaces them by the same
 * placeholders as the new command before anything leaves the device. The newest turns are kept, within
 * `budget` bytes; `undefined` when there is nothing to say.
 */
export function summarizeTurns(
  turns: readonly ChatTurn[],
  budget = SUMMARY_BUDGET_BYTES,
): string[] | undefined {
  const requests = turns.filter(
    (t): t is ChatTurn & { command: Command } =>
      t.role === 'agent' && t.command !== undefined && t.command.intent !== 'unknown',
  );
  const lines: string[] = [];
  let bytes = 0;
  for (const turn of requests.slice(-SUMMARY_TURNS).reverse()) {
    const line = describe(turn.command, turn.proposal?.state);
    const size = new TextEncoder().encode(line).length + 1;
    if (bytes + size > budget) break;
    bytes += size;
    lines.unshift(line);
  }
  return lines.length ? lines : undefined;
}

function describe(command: Command, state: ProposalState | undefined): string {
  const parts: string[] = [command.intent];
  if (command.participants.length) parts.push(`with ${command.participants.join(', ')}`);
  if (command.durationMinutes !== null) parts.push(`${command.durationMinutes} minutes`);
  if (command.window) parts.push(`${command.window.from} to ${command.window.to}`);
  if (command.partOfDay) parts.push(command.partOfDay);
  if (state) parts.push(`(${STATE_WORDS[state]})`);
  return `- ${parts.join(', ')}`;
}
