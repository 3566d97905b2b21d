import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const context = {
  now: '2027-02-28T12:00:00',
  timeZone: 'America/New_York',
  contacts: ['Kofi Mensah', 'Ida Berg', 'Ida Holm', 'Raúl Soto'],
};
const read = (text: string) => parseCommand(text, context);

describe('message', () => {
  it('[CMD16] the body is what follows the command words and the recipients, verbatim', () => {
    expect(read('tell Kofi the demo moved to 4pm tomorrow!')).toEqual({
      intent: 'message',
      participants: ['Kofi Mensah'],
      unresolved: [],
      durationMinutes: null,
      window: null,
      partOfDay: null,
      text: 'the demo moved to 4pm tomorrow!',
    });
    expect(read('msg raul — Ida Berg has the keys 🔑').text).toBe('Ida Berg has the keys 🔑');
    expect(read('msg raul — Ida Berg has the keys 🔑').participants).toEqual(['Raúl Soto']);
    expect(read('let Kofi and Raúl know that lunch is on me').participants).toEqual([
      'Kofi Mensah',
      'Raúl Soto',
    ]);
    expect(read('let Kofi and Raúl know that lunch is on me').text).toBe('lunch is on me');
    expect(read('send Kofi a message saying Can we talk?').text).toBe('Can we talk?');
    expect(read('DM Raúl “thanks, that works”').text).toBe('thanks, that works');
    expect(read('ping Ida: on my way')).toMatchObject({
      participants: [],
      unresolved: ['Ida'],
      text: 'on my way',
    });
    // A group names no one: a recipient, not the body, and never unresolved.
    expect(read('tell the team I am running late')).toMatchObject({
      participants: [],
      unresolved: [],
      text: 'I am running late',
    });
    expect(read('let Kofi and everyone know: standup is cancelled')).toMatchObject({
      participants: ['Kofi Mensah'],
      text: 'standup is cancelled',
    });
    expect(read('text Zara to say I will call her back')).toMatchObject({
      unresolved: ['Zara'],
      text: 'I will call her back',
    });
  });
});
