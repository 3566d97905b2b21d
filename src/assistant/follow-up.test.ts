import { describe, expect, it } from 'vitest';
import type { CommandContext } from './command';
import { applyFollowUp, asRequest, mayFollowUp } from './follow-up';
import { parseCommand } from './parser';

const CONTEXT: CommandContext = {
  now: '2026-12-02T10:15:00', // a Wednesday
  timeZone: 'Europe/Berlin',
  contacts: ['Ben Okafor', 'Ana Silva', 'Sam Lee', 'Sam Ortiz'],
};
const pending = parseCommand('find 30 minutes with Ben next week, mornings', CONTEXT);

/** What the agent does with a follow-up: read it on its own, then as part of a request, then edit. */
function follow(text: string) {
  const alone = parseCommand(text, CONTEXT);
  if (!mayFollowUp(alone, text)) return undefined;
  return applyFollowUp(pending, parseCommand(asRequest(text), CONTEXT));
}

describe('[PRP6] follow-ups edit the pending request', () => {
  it('change its length, its days, its part of the day, or add someone', () => {
    expect(follow('make it an hour')).toMatchObject({
      participants: ['Ben Okafor'],
      durationMinutes: 60,
      window: { from: '2026-12-07', to: '2026-12-13' },
      partOfDay: 'morning',
    });
    expect(follow('what about Thursday?')).toMatchObject({
      durationMinutes: 30,
      window: { from: '2026-12-03', to: '2026-12-03' },
    });
    expect(follow('afternoons would be better')).toMatchObject({
      partOfDay: 'afternoon',
      durationMinutes: 30,
    });
    expect(follow('and add Ana')?.participants.sort()).toEqual(['Ana Silva', 'Ben Okafor']);
  });

  it('a new request, something else, or an unknown name is not a follow-up', () => {
    expect(follow('find an hour with Ana tomorrow')).toBeUndefined();
    expect(follow('tell Ben I am late')).toBeUndefined();
    expect(follow('what’s on tomorrow?')).toBeUndefined();
    expect(follow('and add Sam')).toBeUndefined(); // two Sams: never guessed
    expect(follow('thanks!')).toBeUndefined();
  });
});
