import { describe, expect, it } from 'vitest';
import { commandOf, type Command } from './command';
import { redactCommand, restoreCommand } from './redact';

const CONTACTS = ['Zoë Müller', 'Anna Berg', 'Anna Lind', 'Bob Stone', 'José Álvarez'];
const PEOPLE = ['Dana Whitfield', 'Ben Okafor', 'Sam Lee', 'Sam Ortiz', 'Øyvind Berg', 'José Álvarez'];
const command = (over: Partial<Command>): Command => ({ ...commandOf('schedule'), ...over });

describe('redactCommand', () => {
  it('[AST1] replaces full and first names, case- and diacritics-insensitively, by placeholders', () => {
    const r = redactCommand('Lunch with zoe muller, BOB and jose alvarez next week', CONTACTS);
    expect(r.text).toBe('Lunch with Contact 1, Contact 2 and Contact 3 next week');
    expect(r.placeholders).toEqual({
      'Contact 1': { kind: 'contact', displayName: 'Zoë Müller', typed: 'zoe muller' },
      'Contact 2': { kind: 'contact', displayName: 'Bob Stone', typed: 'BOB' },
      'Contact 3': { kind: 'contact', displayName: 'José Álvarez', typed: 'jose alvarez' },
    });
  });

  it('[AST1] the same contact typed twice gets one placeholder; a shared first name is ambiguous', () => {
    const r = redactCommand('Zoë and Zoë Müller and Anna', CONTACTS);
    expect(r.text).toBe('Contact 1 and Contact 1 and Contact 2');
    expect(r.placeholders['Contact 2']).toEqual({ kind: 'ambiguous', typed: 'Anna' });
  });

  it('[AST1] matches names on word boundaries only', () => {
    expect(redactCommand('Bobby and Annabel', CONTACTS).text).toBe('Bobby and Annabel');
  });

  it('[AST1] [ODM4] a possessive keeps its ’s outside the placeholder; a shared first name stays as typed', () => {
    const r = redactCommand(
      "Dana, dana whitfield, sam, Sam Ortiz, oyvind's and Jose Alvarez with Priya",
      PEOPLE,
    );
    expect(r.text).toBe("Contact 1, Contact 1, Contact 2, Contact 3, Contact 4's and Contact 5 with Priya");
    expect(r.placeholders).toEqual({
      'Contact 1': { kind: 'contact', displayName: 'Dana Whitfield', typed: 'Dana' },
      'Contact 2': { kind: 'ambiguous', typed: 'sam' },
      'Contact 3': { kind: 'contact', displayName: 'Sam Ortiz', typed: 'Sam Ortiz' },
      'Contact 4': { kind: 'contact', displayName: 'Øyvind Berg', typed: 'oyvind' },
      'Contact 5': { kind: 'contact', displayName: 'José Álvarez', typed: 'Jose Alvarez' },
    });
    expect(redactCommand('cancel Dana Whitfield’s 1:1', PEOPLE).text).toBe('cancel Contact 1’s 1:1');
    expect(redactCommand('Bengal tigers', PEOPLE).text).toBe('Bengal tigers');
    expect(redactCommand('nobody', []).text).toBe('nobody');
  });

  it('[AST1] [ODM4] folds ø ł ı đ ß æ œ as CONVENTIONS §5 says, in names and in what was typed', () => {
    const contacts = ['Łukasz Strauß', 'Æsa Bjørn', 'Işıl Đurić', 'Zoë Cœur'];
    const r = redactCommand('lukasz strauss, AESA BJORN, Isil Duric, zoe coeur and Strauß', contacts);
    expect(r.text).toBe('Contact 1, Contact 2, Contact 3, Contact 4 and Strauß');
    expect(Object.values(r.placeholders).map((p) => p.kind === 'contact' && p.displayName)).toEqual(contacts);
    expect(redactCommand('with Łukasz and zoë', ['Lukasz Weber', 'Zoe Park']).text).toBe(
      'with Contact 1 and Contact 2',
    );
  });

  it('[AST1] replaces e-mail addresses, phone numbers and URLs, but not dates or times', () => {
    const r = redactCommand(
      'mail zed@example.org or call +44 20 7946 0958 or 030 1234567, see https://x.example/a?b=1 and meet.example.com/abc on 2026-12-07 at 10:30',
      [],
    );
    expect(r.text).toBe(
      'mail [email] or call [phone] or [phone], see [url] and [url] on 2026-12-07 at 10:30',
    );
    expect(r.secrets['[email]']).toEqual(['zed@example.org']);
  });
});

describe('restoreCommand', () => {
  const r = redactCommand('tell Bob and Anna that mail me at a@b.co, says Zoë', CONTACTS);

  it('[AST2] maps placeholders back to display names; made-up names are unresolved, unknown placeholders dropped', () => {
    const restored = restoreCommand(
      command({ participants: ['Contact 1', 'Contact 2', 'Contact 9', 'Zed'], unresolved: ['Contact 3'] }),
      r,
    );
    expect(restored.participants).toEqual(['Bob Stone', 'Zoë Müller']);
    expect(restored.unresolved).toEqual(['Anna', 'Zed']);
  });

  it('[AST2] [ODM4] reads placeholders as a small model copies them; an ambiguous first name comes back as typed', () => {
    const { placeholders, secrets } = redactCommand('Ben and sam', PEOPLE);
    const restored = restoreCommand(
      command({
        intent: 'message',
        participants: ['Contact 1', '[Contact 2]', 'Priya', 'Contact 7', 'contact1'],
        unresolved: ['CONTACT 1', 'Priya'],
        text: 'Contact 1!',
      }),
      { placeholders, secrets },
    );
    expect(restored).toMatchObject({
      participants: ['Ben Okafor'],
      unresolved: ['sam', 'Priya'],
      text: 'Ben!',
    });
  });

  it('[AST2] puts placeholders and redacted details back into a message body as typed', () => {
    const restored = restoreCommand(
      command({ intent: 'message', participants: ['Contact 1'], text: 'mail me at [email], says Contact 3' }),
      r,
    );
    expect(restored.text).toBe('mail me at a@b.co, says Zoë');
  });
});
