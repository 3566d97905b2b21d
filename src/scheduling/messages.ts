import { z } from 'zod';
import { normalizePeerText } from '../text';

/**
 * Agent-to-agent negotiation messages (NEG rules). These arrive from peers, decrypted but untrusted:
 * everything is validated here, in code, before any handler sees it. Text a peer wrote (titles,
 * notes, display names) is typed `PeerText` so it cannot be mistaken for an instruction or fed to a
 * privileged prompt by accident: it is shown to the person as text and nothing else (NEG9).
 */
export const PROTOCOL_VERSION = 1;
export const LIMITS = {
  maxRawChars: 32_768,
  maxNodes: 2_000,
  maxDepth: 8,
  maxSlots: 20,
  /** CNV2: candidate times one QUERY may carry. */
  maxCandidates: 20,
  /** CNV6: ranges of meeting hours one QUERY, RESCHEDULE or RESPONSE may carry. */
  maxHours: 200,
  maxParticipants: 20,
  titleChars: 200,
  noteChars: 1_000,
  maxWindowDays: 120,
  /** NEG14: how far ahead of the receiver's clock a `sentAt` may be. */
  clockSkewMs: 5 * 60_000,
  /** NEG14: how far ahead of the clock an expiry or a window's end may reach. */
  horizonDays: 120,
  /** NEG16: the grid every slot on the wire starts on, unless a RESPONSE declares its own. */
  wireGridMin: 5,
  displayNameChars: 80,
} as const;
const DAY_MS = 86_400_000;

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'ids are 8–64 characters of [A-Za-z0-9_-]');
const agentId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'agent ids are 1–128 characters of [A-Za-z0-9_.:-]');
const epochMs = z.number().int().min(0).max(8.64e15);

// NEG9: C0/C1 controls (except tab and newline) and bidi overrides can disguise text on screen; a message
// that holds them is refused outright. NEG18: whatever else could hide or disguise text is then normalised
// away (src/text), so what is stored and shown is exactly what the person can see.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const peerText = (max: number, multiline = false) =>
  z
    .string()
    .max(max)
    .refine((s) => !UNSAFE_TEXT.test(s), 'control and bidi-override characters are not allowed')
    .transform((s) => normalizePeerText(s, { maxChars: max, multiline }))
    .brand<'PeerText'>();
export type PeerText = z.infer<ReturnType<typeof peerText>>;

export const slotSchema = z
  .strictObject({ start: epochMs, end: epochMs })
  .refine((s) => s.end > s.start && s.end - s.start <= 24 * 3_600_000, 'a slot lasts between 1 ms and 24 h');
export type WireSlot = z.infer<typeof slotSchema>;

/** NEG16: true when every slot starts on the `gridMin`-minute grid counted from the Unix epoch (SLT2). */
export function onGrid(slots: readonly { readonly start: number }[], gridMin: number): boolean {
  const g = gridMin * 60_000;
  return slots.every((s) => s.start % g === 0);
}
const gridSlot = slotSchema.refine(
  (s) => onGrid([s], LIMITS.wireGridMin),
  `a slot starts on the ${LIMITS.wireGridMin}-minute grid`,
);

const windowSchema = z
  .strictObject({ start: epochMs, end: epochMs })
  .refine(
    (w) => w.end > w.start && w.end - w.start <= LIMITS.maxWindowDays * 86_400_000,
    'window is at most 120 days',
  );

/**
 * CNV6: a stretch of meeting hours (coarse: whole hours), inside the window. Longer than a slot may be (a
 * day's hours can run past midnight), at most a window long.
 */
const hoursRange = z
  .strictObject({ start: epochMs, end: epochMs })
  .refine((h) => h.end > h.start && h.end - h.start <= LIMITS.maxWindowDays * DAY_MS, 'a range of hours');
const hoursList = z.array(hoursRange).max(LIMITS.maxHours);

const base = {
  v: z.literal(PROTOCOL_VERSION),
  messageId: id,
  negotiationId: id,
  seq: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  sentAt: epochMs,
  expiresAt: epochMs,
  sender: agentId,
};

const handshake = z.strictObject({
  ...base,
  type: z.literal('HANDSHAKE'),
  card: z.strictObject({
    agentId,
    displayName: peerText(LIMITS.displayNameChars),
    protocolVersions: z.array(z.number().int().min(1).max(100)).min(1).max(8),
  }),
});

const query = z.strictObject({
  ...base,
  type: z.literal('QUERY'),
  /** 1 for the first ask; each widening round asks again with round + 1 (DIS3). */
  round: z.number().int().min(1).max(10),
  window: windowSchema,
  durationMin: z.number().int().min(5).max(1_440),
  participants: z.array(agentId).min(1).max(LIMITS.maxParticipants),
  title: peerText(LIMITS.titleChars).optional(),
  note: peerText(LIMITS.noteChars, true).optional(),
  /**
   * CNV2: the organizer's candidate times ("which of these fit?"), on the wire grid, of the asked duration
   * and inside the window (the machines check both). Absent: the participant offers its own best times.
   */
  candidates: z.array(gridSlot).max(LIMITS.maxCandidates).optional(),
  /**
   * CNV6: the organizer's meeting hours in the window, coarse (whole hours): "when could you meet at all?".
   * The participant answers with the part of its own hours inside them, or that it has no free time there.
   */
  hours: hoursList.optional(),
});

const response = z
  .strictObject({
    ...base,
    type: z.literal('RESPONSE'),
    inReplyTo: id,
    round: z.number().int().min(1).max(10),
    granularityMin: z.union([z.literal(15), z.literal(30), z.literal(60)]),
    slots: z.array(slotSchema).max(LIMITS.maxSlots),
    /** CNV6: the participant's meeting hours inside the organizer's (coarse), in answer to `hours`. */
    hours: hoursList.optional(),
    /**
     * CNV7: nothing to offer inside the participant's rules: none of its free time lies inside the asked
     * hours. Discloses no free time; the organizer ends with "no common time".
     */
    exhausted: z.literal(true).optional(),
    /** CNV8: some of the round's candidates fit but were left out for the budget: ask them again. */
    more: z.literal(true).optional(),
  })
  .refine((r) => onGrid(r.slots, r.granularityMin), {
    message: 'every slot starts on the declared granularity',
    path: ['slots'],
  });

const proposal = z.strictObject({
  ...base,
  type: z.literal('PROPOSAL'),
  slot: gridSlot,
  participants: z.array(agentId).min(1).max(LIMITS.maxParticipants),
  title: peerText(LIMITS.titleChars).optional(),
  note: peerText(LIMITS.noteChars, true).optional(),
});

const counterProposal = z.strictObject({
  ...base,
  type: z.literal('COUNTER_PROPOSAL'),
  inReplyTo: id,
  slots: z.array(gridSlot).min(1).max(5),
  note: peerText(LIMITS.noteChars, true).optional(),
});

const confirmation = z.strictObject({
  ...base,
  type: z.literal('CONFIRMATION'),
  inReplyTo: id,
  slot: gridSlot,
  /** accept: a participant agrees to a proposal. booked: the organizer created the event. */
  phase: z.enum(['accept', 'booked']),
  eventId: z
    .string()
    .regex(/^[a-v0-9]{5,1024}$/)
    .optional(),
  iCalUID: z.string().max(1_100).optional(),
});

export const REJECTION_REASONS = [
  'declined',
  'no_overlap',
  'busy',
  'expired',
  'policy',
  'rate_limited',
  'closed',
] as const;
const rejection = z.strictObject({
  ...base,
  type: z.literal('REJECTION'),
  inReplyTo: id.optional(),
  reason: z.enum(REJECTION_REASONS),
  note: peerText(LIMITS.noteChars, true).optional(),
});

const cancel = z.strictObject({
  ...base,
  type: z.literal('CANCEL'),
  note: peerText(LIMITS.noteChars, true).optional(),
});

const reschedule = z.strictObject({
  ...base,
  type: z.literal('RESCHEDULE'),
  window: windowSchema,
  durationMin: z.number().int().min(5).max(1_440),
  note: peerText(LIMITS.noteChars, true).optional(),
  /** CNV6: as a QUERY's `hours`, when the organizer re-runs a booked meeting. */
  hours: hoursList.optional(),
});

const heartbeat = z.strictObject({ ...base, type: z.literal('HEARTBEAT') });

export const messageSchema = z.discriminatedUnion('type', [
  handshake,
  query,
  response,
  proposal,
  counterProposal,
  confirmation,
  rejection,
  cancel,
  reschedule,
  heartbeat,
]);
export type Message = z.infer<typeof messageSchema>;
export type MessageType = Message['type'];
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
export const MESSAGE_TYPES: readonly MessageType[] = [
  'HANDSHAKE',
  'QUERY',
  'RESPONSE',
  'PROPOSAL',
  'COUNTER_PROPOSAL',
  'CONFIRMATION',
  'REJECTION',
  'CANCEL',
  'RESCHEDULE',
  'HEARTBEAT',
];

export type ParseRejectCode =
  | 'not_json'
  | 'too_large'
  | 'too_deep'
  | 'forbidden_key'
  | 'unknown_type'
  | 'unsupported_version'
  | 'schema'
  | 'expired'
  | 'bad_expiry'
  | 'from_future'
  | 'too_far_ahead';
export type ParseResult =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly code: ParseRejectCode; readonly detail: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Walks untrusted input once with a node budget before zod sees it (NEG8). */
function preflight(value: unknown): ParseResult | null {
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > LIMITS.maxNodes) return { ok: false, code: 'too_large', detail: 'too many values' };
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'string' && v.length > LIMITS.maxRawChars)
        return { ok: false, code: 'too_large', detail: 'string too long' };
      continue;
    }
    if (depth >= LIMITS.maxDepth)
      return { ok: false, code: 'too_deep', detail: `nesting beyond ${LIMITS.maxDepth}` };
    if (Array.isArray(v)) {
      if (v.length > LIMITS.maxNodes) return { ok: false, code: 'too_large', detail: 'array too long' };
      for (const x of v) stack.push([x, depth + 1]);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      return { ok: false, code: 'schema', detail: 'not a plain object' };
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key !== 'string') return { ok: false, code: 'forbidden_key', detail: 'symbol key' };
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, code: 'forbidden_key', detail: `key "${key}"` };
      const desc = Object.getOwnPropertyDescriptor(v, key);
      if (!desc || !('value' in desc)) return { ok: false, code: 'schema', detail: 'accessor property' };
      stack.push([desc.value, depth + 1]);
    }
  }
  return null;
}

/**
 * Parses one message from a peer: JSON text or an already-decoded value. Never throws; a hostile or
 * broken message yields a typed rejection code. `now` checks expiry (NEG2).
 */
export function parseMessage(raw: unknown, now: number): ParseResult {
  try {
    let value = raw;
    if (typeof raw === 'string') {
      if (raw.length > LIMITS.maxRawChars)
        return { ok: false, code: 'too_large', detail: 'message text too long' };
      try {
        value = JSON.parse(raw);
      } catch {
        // A peer's text that is not JSON: a typed rejection, never an exception.
        return { ok: false, code: 'not_json', detail: 'not JSON' };
      }
    }
    const pre = preflight(value);
    if (pre) return pre;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, code: 'schema', detail: 'not an object' };
    }
    const rec = value as Record<string, unknown>;
    if (rec['v'] !== PROTOCOL_VERSION)
      return { ok: false, code: 'unsupported_version', detail: 'v must be 1' };
    if (typeof rec['type'] !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(rec['type'])) {
      return { ok: false, code: 'unknown_type', detail: 'unknown type' };
    }
    return checkMessage(value, now);
  } catch {
    // A Proxy or a throwing getter that slipped past preflight: still a typed rejection.
    return { ok: false, code: 'schema', detail: 'unreadable value' };
  }
}

/**
 * The schema (NEG8, NEG9, NEG16, NEG18) and the time bounds (NEG2, NEG14) for a value already decoded:
 * `parseMessage` ends here, and the machines run it again on every message they are handed (NEG13), so a
 * message built in memory passes the same checks as one off the wire. Returns the normalised message.
 */
export function checkMessage(value: unknown, now: number): ParseResult {
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      code: 'schema',
      detail: first ? `${first.path.join('.')}: ${first.message}`.slice(0, 200) : 'invalid',
    };
  }
  const m = parsed.data;
  const horizon = now + LIMITS.horizonDays * DAY_MS;
  if (m.sentAt > now + LIMITS.clockSkewMs) {
    return {
      ok: false,
      code: 'from_future',
      detail: 'sentAt is ahead of the clock beyond the skew allowance',
    };
  }
  if (
    m.expiresAt <= m.sentAt ||
    m.expiresAt - m.sentAt > LIMITS.horizonDays * DAY_MS ||
    m.expiresAt > horizon
  ) {
    return {
      ok: false,
      code: 'bad_expiry',
      detail: 'expiresAt must follow sentAt, within 120 days of it and of the clock',
    };
  }
  if (m.expiresAt <= now) return { ok: false, code: 'expired', detail: 'message expired' };
  if ((m.type === 'QUERY' || m.type === 'RESCHEDULE') && m.window.end > horizon) {
    return { ok: false, code: 'too_far_ahead', detail: 'the window ends more than 120 days ahead' };
  }
  return { ok: true, message: m };
}

/** Marks text the person typed (or the runtime generated) for sending; peers' text arrives via parseMessage. */
export function asPeerText(text: string): PeerText {
  return text as PeerText;
}
