import { base64url, blake2b } from './hash';
import { type Interval } from './interval';
import { LIMITS, type Message, PROTOCOL_VERSION, checkMessage } from './messages';
import type { Effect, Inbox, NegotiationTiming, Outbox, RejectCode, StepResult } from './negotiation-types';

type Header = 'v' | 'messageId' | 'negotiationId' | 'seq' | 'sentAt' | 'expiresAt' | 'sender';
/** A message without its envelope fields, one variant per type. */
export type MessageBody = {
  [T in Message['type']]: Omit<Extract<Message, { type: T }>, Header>;
}[Message['type']];

/**
 * How long a CANCEL stays deliverable (NEG20). A booked meeting is usually cancelled after its
 * negotiation's expiry, which would otherwise leave the CANCEL a millisecond to live.
 */
export const CANCEL_TTL_MS = 7 * 86_400_000;

/**
 * Message ids are derived, not random: (negotiation, sender, seq) → id. A step replayed after a
 * crash produces byte-identical messages, so a peer that already has one de-duplicates it.
 */
export function compose(
  ctx: { negotiationId: string; self: string; seq: number; expiresAt: number },
  body: MessageBody,
  now: number,
): Message {
  const messageId = base64url(blake2b('message-id', `${ctx.negotiationId}\n${ctx.self}\n${ctx.seq}`, 16));
  return {
    ...body,
    v: PROTOCOL_VERSION,
    messageId,
    negotiationId: ctx.negotiationId,
    seq: ctx.seq,
    sentAt: now,
    // NEG14: never an expiry a peer must refuse, whatever the state says; NEG20: a CANCEL stays deliverable.
    expiresAt: Math.min(
      Math.max(ctx.expiresAt, now + (body.type === 'CANCEL' ? CANCEL_TTL_MS : 1)),
      now + LIMITS.horizonDays * 86_400_000,
    ),
    sender: ctx.self,
  } as Message;
}

/**
 * NEG21: nothing answers a CANCEL, so the last one sent to each peer is resent on ticks a fixed number
 * of times, backing off from `retryMs` (≈ 37 hours in all with the defaults); duplicates change nothing.
 */
export const CANCEL_RESENDS = 12;

/** Whether this outbox holds a CANCEL that is still to be resent. */
export function cancelToResend(o: Outbox | null): o is Outbox {
  return o !== null && o.message.type === 'CANCEL' && o.retries < CANCEL_RESENDS;
}

/** The outbox after one more resend of its CANCEL. */
export function cancelResent(o: Outbox, now: number, retryMs: number): Outbox {
  return { ...o, retryAt: now + retryMs * 2 ** Math.min(o.retries + 1, 6), retries: o.retries + 1 };
}

export function reject<S>(state: S, code: RejectCode, effects: readonly Effect[] = []): StepResult<S> {
  return { state, effects, rejection: { code } };
}

export const EMPTY_INBOX: Inbox = { maxSeq: -1, seen: [] };

const MESSAGE_REFUSALS: ReadonlySet<RejectCode> = new Set<RejectCode>([
  'schema',
  'expired',
  'bad_expiry',
  'from_future',
  'too_far_ahead',
]);

/**
 * NEG13: what a machine may act on. The message is checked again exactly as parseMessage checks it off
 * the wire (schema, normalised peer text, grid, time bounds), and it must name `from` — the sender the
 * channel authenticated — as its sender. Returns the checked (normalised) message, or a refusal code.
 */
export function admit(
  from: string,
  m: Message,
  now: number,
): { ok: true; message: Message } | { ok: false; code: RejectCode } {
  let checked;
  try {
    checked = checkMessage(m, now);
  } catch {
    // Fed directly with a hostile object (a throwing getter, a Proxy): refused like any invalid message.
    return { ok: false, code: 'schema' };
  }
  if (!checked.ok) {
    const code = checked.code as RejectCode;
    return { ok: false, code: MESSAGE_REFUSALS.has(code) ? code : 'schema' };
  }
  if (checked.message.sender !== from) return { ok: false, code: 'wrong_sender' };
  return { ok: true, message: checked.message };
}

/**
 * NEG3/NEG4: a repeated message id is a duplicate (answered by resending our reply, nothing else);
 * a new id with a sequence number at or below the highest seen is stale (it was overtaken).
 */
export function screen(
  inbox: Inbox,
  outbox: Outbox | null,
  from: string,
  m: Message,
  now: number,
): { code: RejectCode; effects: Effect[] } | null {
  if (inbox.seen.includes(m.messageId)) {
    const effects: Effect[] =
      outbox && outbox.inReplyTo === m.messageId ? [{ kind: 'send', to: from, message: outbox.message }] : [];
    return { code: 'duplicate', effects };
  }
  if (m.expiresAt <= now) return { code: 'expired', effects: [] };
  if (m.seq <= inbox.maxSeq) return { code: 'stale', effects: [] };
  return null;
}

export function remember(inbox: Inbox, m: Message, timing: NegotiationTiming): Inbox {
  const seen = [...inbox.seen, m.messageId];
  return {
    maxSeq: Math.max(inbox.maxSeq, m.seq),
    seen: seen.length > timing.seenIds ? seen.slice(-timing.seenIds) : seen,
  };
}

export function sameSlot(a: Interval, b: Interval): boolean {
  return a.start === b.start && a.end === b.end;
}

export function containsSlot(list: readonly Interval[], s: Interval): boolean {
  return list.some((x) => sameSlot(x, s));
}
