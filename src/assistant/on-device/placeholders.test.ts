import { describe, expect, it } from 'vitest';
import { redactNames, restoreCommand, restoreText } from './placeholders';

const CONTACTS = ['Dana Whitfield', 'Ben Okafor', 'Sam Lee', 'Sam Ortiz', 'Øyvind Berg', 'José Álvarez'];

describe('placeholders', () => {
  it('[ODM4] full names, first names, diacritics and possessives become placeholders; the same name the same one', () => {
    const r = redactNames(
      "Dana, dana whitfield, sam, Sam Ortiz, oyvind's and Jose Alvarez with Priya",
      CONTACTS,
    );
    expect(r.text).toBe("[C1], [C1], [A1], [C2], [C3]'s and [C4] with Priya");
    expect(r.placeholders).toEqual([
      { token: '[C1]', typed: 'Dana', contact: 'Dana Whitfield' },
      { token: '[A1]', typed: 'sam', contact: null },
      { token: '[C2]', typed: 'Sam Ortiz', contact: 'Sam Ortiz' },
      { token: '[C3]', typed: 'oyvind', contact: 'Øyvind Berg' },
      { token: '[C4]', typed: 'Jose Alvarez', contact: 'José Álvarez' },
    ]);
    expect(restoreText(r.text, r.placeholders)).toBe(
      "Dana, Dana, sam, Sam Ortiz, oyvind's and Jose Alvarez with Priya",
    );
    expect(redactNames('Bengal tigers', CONTACTS).text).toBe('Bengal tigers');
    expect(redactNames('nobody', []).text).toBe('nobody');
  });

  it('[ODM4] restoring sorts placeholders into participants and unresolved and drops unknown tokens', () => {
    const { placeholders } = redactNames('Ben and Sam', CONTACTS);
    const restored = restoreCommand(
      { participants: ['[C1]', '[A1]', 'Priya', '[C7]', 'c1'], unresolved: ['[C1]', 'Priya'], text: '[C1]!' },
      placeholders,
    );
    expect(restored).toEqual({ participants: ['Ben Okafor'], unresolved: ['Sam', 'Priya'], text: 'Ben!' });
  });
});
