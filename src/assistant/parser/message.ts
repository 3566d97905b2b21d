import { referenceAt, type ContactIndex, type People, sortByFolded } from './contacts';
import type { Token } from './normalize';

const VERBS = new Set(['tell', 'message', 'msg', 'text', 'ping', 'dm', 'let', 'send']);
const CONNECTOR = /^(?::|-|–|—|,|that\b|saying\b|to say\b)/;
const QUOTES: [string, string][] = [
  ["'", "'"],
  ['"', '"'],
  ['‘', '’'],
  ['“', '”'],
];

/** Recipients that name no one (CONVENTIONS §5): consumed as recipients, never participants or unresolved. */
const GROUPS = [
  ['the', 'whole', 'team'],
  ['the', 'team'],
  ['my', 'team'],
  ['our', 'team'],
  ['the', 'group'],
  ['everyone'],
  ['everybody'],
];

function groupAt(tokens: readonly Token[], i: number): number {
  const found = GROUPS.find((g) => g.every((w, k) => tokens[i + k]?.word === w));
  return found?.length ?? 0;
}

export interface Message extends People {
  readonly text: string | null;
}

/**
 * A message's recipients and its body, verbatim (§9): after the command words and recipients, one
 * leading connector and enclosing quotes go; everything else is kept as typed.
 */
export function readMessage(text: string, tokens: readonly Token[], index: ContactIndex): Message {
  const participants = new Set<string>();
  const unresolved: string[] = [];
  let i = tokens.findIndex((t) => VERBS.has(t.word));
  if (i < 0) return { participants: [], unresolved: [], text: null };
  const verb = tokens[i]!.word;
  i++;
  let end = tokens[i - 1]!.end;
  for (let first = true; i < tokens.length; first = false) {
    const group = groupAt(tokens, i);
    const ref = group ? undefined : referenceAt(tokens, i, index, first);
    if (!group && (!ref || ref.kind === 'self')) break;
    if (ref?.kind === 'contact') participants.add(ref.name);
    else if (ref?.kind === 'unresolved') unresolved.push(ref.typed);
    i += group || ref!.length;
    end = tokens[i - 1]!.end;
    const sep = tokens[i]?.word;
    const next = tokens[i + 1];
    if ((sep === 'and' || sep === ',') && next && groupAt(tokens, i + 1)) i++;
    else if (
      (sep === 'and' || sep === ',') &&
      next &&
      referenceAt(tokens, i + 1, index, false)?.kind !== undefined
    ) {
      if (referenceAt(tokens, i + 1, index, false)!.kind === 'self') break;
      i++;
    } else break;
  }
  // "let X know …", "send X a message …"
  if (verb === 'let' && tokens[i]?.word === 'know') end = tokens[i++]!.end;
  if (verb === 'send') {
    let j = i;
    if (tokens[j]?.word === 'a' || tokens[j]?.word === 'an') j++;
    if (tokens[j] && /^(?:message|note|text|msg|dm)$/.test(tokens[j]!.word)) end = tokens[j]!.end;
  }
  let body = text.slice(end).trim();
  body = body.replace(CONNECTOR, '').trim();
  for (const [open, close] of QUOTES) {
    if (body.length >= 2 && body.startsWith(open) && body.endsWith(close)) {
      body = body.slice(1, -1).trim();
      break;
    }
  }
  return { participants: sortByFolded([...participants]), unresolved, text: body === '' ? null : body };
}
