import { commandOf, type Command, type CommandContext, type Understanding } from '../command';
import { findPeople, indexContacts, type ContactIndex } from './contacts';
import { today as todayOf } from './dates';
import { findDurations, isNewLength } from './duration';
import { readIntent } from './intent';
import { readMessage } from './message';
import { normalized, tokenize } from './normalize';
import { findPartsOfDay } from './part-of-day';
import { chronoDate, findWindows } from './window';

/** Contact indexes are reused while the contact list object is the same. */
const indexes = new WeakMap<readonly string[], ContactIndex>();
function contactIndex(contacts: readonly string[]): ContactIndex {
  let index = indexes.get(contacts);
  if (!index) indexes.set(contacts, (index = indexContacts(contacts)));
  return index;
}

/** Where the new time of a reschedule starts: after "to" / "until" / "into" (§7.2). */
const NEW_TIME = /\b(?:to|until|till|til|into|for)\b/;

/**
 * The built-in, no-model reading of a command (docs/protocol/commands.md, CONVENTIONS.md). Pure and
 * synchronous; every field follows the per-intent table of §4.
 */
export function parseCommand(text: string, context: CommandContext): Command {
  const index = contactIndex(context.contacts);
  const tokens = tokenize(text.slice(0, 4000), index.words);
  const norm = normalized(tokens);
  const people = findPeople(tokens, index);
  const intent = readIntent(norm, people.participants.length > 0, people.unresolved.length > 0);

  if (intent === 'message') {
    const message = readMessage(text.slice(0, 4000), tokens, index);
    return commandOf(intent, message);
  }
  if (intent === 'invite' || intent === 'help' || intent === 'unknown') return commandOf(intent);

  const today = todayOf(context.now);
  // A reschedule's window, part of day and length describe only the new time.
  let from = 0;
  if (intent === 'reschedule') {
    const to = NEW_TIME.exec(norm);
    from = to ? to.index : norm.length;
  }
  const windows = findWindows(norm, today, context.timeZone).filter((w) => w.index >= from);
  let window = windows[0]?.window ?? null;
  if (!window && from < norm.length)
    window = chronoDate(intent === 'reschedule' ? norm.slice(from) : text, today);
  if (!window && intent === 'agenda')
    window = { from: context.now.slice(0, 10), to: context.now.slice(0, 10) };

  const partOfDay = findPartsOfDay(norm).find((p) => p.index >= from)?.value ?? null;

  let durationMinutes: number | null = null;
  if (intent === 'schedule') durationMinutes = findDurations(norm)[0]?.minutes ?? null;
  if (intent === 'reschedule') {
    durationMinutes = findDurations(norm).find((d) => isNewLength(norm, d.index))?.minutes ?? null;
  }

  return { intent, ...people, durationMinutes, window, partOfDay, text: null };
}

/** The parser as an `Understanding`: always there, no model, no network. */
export const builtinUnderstanding: Understanding = {
  provider: 'builtin',
  understand(text, context, signal) {
    // A throw inside the executor (an aborted signal, a malformed `now`) becomes a rejection.
    return new Promise((resolve) => {
      signal?.throwIfAborted();
      resolve(parseCommand(text, context));
    });
  },
};
