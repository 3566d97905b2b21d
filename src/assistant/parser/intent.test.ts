import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const context = {
  now: '2027-06-13T23:50:00',
  timeZone: 'Asia/Kolkata',
  contacts: ['Ravi Iyer', 'Mei Lin', 'Olu Ade'],
};
const read = (text: string) => parseCommand(text, context);
const intent = (text: string) => read(text).intent;

describe('reading and intent', () => {
  it('[CMD2] case, punctuation, shorthand and typing slips read as the word meant', () => {
    const plain = read('45 minutes with Mei tomorrow morning');
    expect(read('45M W/ MEI TMRW AM!!')).toEqual(plain);
    expect(read('45 mins w mei tomorow mornin')).toEqual(plain);
    expect(read('organise a meting w/ ravi n olu nxt wk')).toMatchObject({
      intent: 'schedule',
      participants: ['Olu Ade', 'Ravi Iyer'],
      window: { from: '2027-06-14', to: '2027-06-20' },
    });
    expect(read('call w mei thurs').window).toEqual({ from: '2027-06-17', to: '2027-06-17' });
  });

  it('[CMD3] filler words change nothing', () => {
    const plain = read('lunch with Olu on Friday');
    expect(read('hey, ideally lunch with Olu sometime on Friday if possible pls')).toEqual(plain);
  });

  it('[CMD4] intents come from verb families', () => {
    expect(intent('could Mei and I get 20 minutes on Tuesday?')).toBe('schedule');
    expect(intent('tea w olu?')).toBe('schedule');
    expect(intent('am I busy on Wednesday afternoon')).toBe('agenda');
    expect(intent('show me my calendar')).toBe('agenda');
    expect(intent('call off the standup with Ravi')).toBe('cancel');
    expect(intent('scrap my 1:1 with Mei')).toBe('cancel');
    expect(intent('bump the review with Olu to Thursday')).toBe('reschedule');
    expect(intent('ping Ravi: running late')).toBe('message');
    expect(intent('generate an invite code')).toBe('invite');
    expect(intent('add a new contact')).toBe('invite');
    expect(intent('how does this work?')).toBe('help');
    expect(intent('asdfgh')).toBe('unknown');
    expect(intent('')).toBe('unknown');
  });

  it('[CMD4] a message stays a message; non-meetings are unknown; moving is reschedule', () => {
    expect(intent('tell Mei I have to cancel tomorrow')).toBe('message');
    expect(intent('book a flight to Paris next Friday')).toBe('unknown');
    expect(intent('what is the weather in Chennai tomorrow')).toBe('unknown');
    expect(intent('shift my call with Ravi to next week')).toBe('reschedule');
  });

  it('[CMD5] invite, help and unknown leave every other field empty; cancel and message carry no length', () => {
    const empty = {
      participants: [],
      unresolved: [],
      durationMinutes: null,
      window: null,
      partOfDay: null,
      text: null,
    };
    expect(read('invite Ravi to Parley tomorrow')).toEqual({ intent: 'invite', ...empty });
    expect(read('help')).toEqual({ intent: 'help', ...empty });
    expect(read('order sushi for Mei on Friday evening')).toEqual({ intent: 'unknown', ...empty });
    expect(read('cancel my 45-minute sync with Olu on Monday')).toMatchObject({
      durationMinutes: null,
      window: { from: '2027-06-14', to: '2027-06-14' },
    });
    expect(read('what do I have next week')).toMatchObject({ durationMinutes: null, text: null });
  });
});
