import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse';

const people = (text: string, contacts: string[]) => {
  const c = parseCommand(text, { now: '2026-12-31T18:00:00', timeZone: 'America/Sao_Paulo', contacts });
  return { participants: c.participants, unresolved: c.unresolved };
};
const ACCENTED = ['Łukasz Wójcik', 'Søren Kjær', 'Ağça Işık', 'Chloé Martin', 'Đorđe Ilić', 'Ängel Groß'];

describe('contacts', () => {
  it('[CMD6] a typed name matches a full name or a first name, ignoring case and diacritics', () => {
    expect(people('lunch with lukasz and SOREN', ACCENTED).participants).toEqual([
      'Łukasz Wójcik',
      'Søren Kjær',
    ]);
    expect(people('call with chloe martin', ACCENTED).participants).toEqual(['Chloé Martin']);
    expect(people('call with Dorde', ACCENTED).participants).toEqual(['Đorđe Ilić']);
    expect(people('call with Agca tomorrow', ACCENTED).participants).toEqual(['Ağça Işık']);
    expect(people('call with angel gross', ACCENTED).participants).toEqual(['Ängel Groß']);
  });

  it('[CMD7] an ambiguous first name goes to unresolved as typed; a full name settles it', () => {
    const contacts = ['Alex Kim', 'Alex Moreau', 'Hana Sato'];
    expect(people('find time with ALEX and Hana', contacts)).toEqual({
      participants: ['Hana Sato'],
      unresolved: ['ALEX'],
    });
    expect(people('find time with alex moreau', contacts)).toEqual({
      participants: ['Alex Moreau'],
      unresolved: [],
    });
    expect(people('an hour with Hana and Quentin', contacts)).toEqual({
      participants: ['Hana Sato'],
      unresolved: ['Quentin'],
    });
    expect(people("cancel Quentin's review", contacts)).toEqual({
      participants: [],
      unresolved: ['Quentin'],
    });
    expect(people('Quentin and I need an hour', contacts)).toEqual({
      participants: [],
      unresolved: ['Quentin'],
    });
    expect(people('Book an hour with Hana', contacts)).toEqual({
      participants: ['Hana Sato'],
      unresolved: [],
    });
  });

  it('[CMD8] months, modal verbs, the person themself and groups are not participants', () => {
    const contacts = ['April Stone', 'Will Park', 'Hana Sato'];
    expect(people('meet April in April', contacts).participants).toEqual(['April Stone']);
    expect(people('Will you set up 30 min with Hana', contacts).participants).toEqual(['Hana Sato']);
    expect(people('can Will join Hana and me on April 9?', contacts).participants).toEqual([
      'Hana Sato',
      'Will Park',
    ]);
    expect(people('find a slot for the team, Hana and me', contacts)).toEqual({
      participants: ['Hana Sato'],
      unresolved: [],
    });
    expect(people("move Hana's sync to Monday", contacts).participants).toEqual(['Hana Sato']);
  });

  it('[CMD9] each person once, participants sorted by folded name, unresolved in typed order', () => {
    const result = people('sync with Søren, Chloé, Zed, Yara and chloe', ACCENTED);
    expect(result).toEqual({ participants: ['Chloé Martin', 'Søren Kjær'], unresolved: ['Zed', 'Yara'] });
  });
});
