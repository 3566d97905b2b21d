import type { Command } from './command';

/**
 * [PRP6] Follow-ups edit the pending request instead of starting a new one: after "find 30 minutes with Ben
 * next week", "make it an hour", "what about Thursday?", "afternoons" or "and add Ana" change that request.
 * Words that name someone new without "and"/"add"/"also", or ask for something else (a message, the agenda,
 * a cancel…), are a new request.
 */
const ADDING = /^\s*(and|add|also|plus)\b/i;

/** Whether `command` (understood on its own) may be a follow-up to a pending request. */
export function mayFollowUp(command: Command, text: string): boolean {
  if (!['schedule', 'reschedule', 'unknown'].includes(command.intent)) return false;
  if (command.unresolved.length) return false;
  return command.participants.length === 0 || ADDING.test(text);
}

/** The words read as part of a request: what makes "what about Thursday?" a window. */
export const asRequest = (text: string): string => `find a time ${text.replace(ADDING, '').trim()}`;

/**
 * The pending request with what the follow-up changed, or undefined when it changed nothing (then the
 * words are answered on their own).
 */
export function applyFollowUp(pending: Command, followUp: Command): Command | undefined {
  const changes =
    followUp.durationMinutes !== null ||
    followUp.window !== null ||
    followUp.partOfDay !== null ||
    followUp.participants.length > 0;
  if (!changes || followUp.unresolved.length) return undefined;
  return {
    ...pending,
    participants: [...new Set([...pending.participants, ...followUp.participants])],
    durationMinutes: followUp.durationMinutes ?? pending.durationMinutes,
    window: followUp.window ?? pending.window,
    partOfDay: followUp.partOfDay ?? pending.partOfDay,
  };
}
