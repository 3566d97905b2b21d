import type { Interval } from './interval';
import { blake2b, toHex } from './hash';

/**
 * APR rules: the person approves one exact action. The request carries a BLAKE2b hash of the action
 * (negotiation id, slot, participants, or the exact slots to disclose and to whom); a decision is
 * honoured only for the same hash and before the request expires.
 */
export type ApprovalAction =
  | {
      readonly kind: 'book' | 'accept';
      readonly negotiationId: string;
      readonly slot: Interval;
      readonly participants: readonly string[];
    }
  | {
      readonly kind: 'disclose';
      readonly negotiationId: string;
      readonly to: string;
      readonly slots: readonly Interval[];
      /**
       * ASK1: the person's one decision for this meeting: sharing these times also accepts whichever of
       * them the organizer picks, and lets the agent answer later rounds within the rule's budget.
       */
      readonly andAccept?: true;
    };

export interface ApprovalRequest {
  readonly action: ApprovalAction;
  readonly actionHash: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
}

export interface ApprovalDecision {
  readonly actionHash: string;
  readonly approved: boolean;
}

export type ApprovalCheck =
  | { readonly ok: true; readonly approved: boolean }
  | { readonly ok: false; readonly code: 'no_pending_approval' | 'approval_mismatch' | 'approval_expired' };

/** Field order fixed, participants sorted and deduplicated: the same action always hashes the same. */
export function canonicalAction(a: ApprovalAction): string {
  if (a.kind === 'disclose') {
    const slots = [...a.slots]
      .sort((x, y) => x.start - y.start || x.end - y.end)
      .map((s) => [s.start, s.end]);
    // Hashed as before when absent, so requests stored before ASK1 still check.
    return JSON.stringify(
      a.andAccept
        ? ['disclose', a.negotiationId, a.to, slots, 'and-accept']
        : ['disclose', a.negotiationId, a.to, slots],
    );
  }
  const people = [...new Set(a.participants)].sort();
  return JSON.stringify([a.kind, a.negotiationId, [a.slot.start, a.slot.end], people]);
}

export function actionHash(a: ApprovalAction): string {
  return toHex(blake2b('approval', canonicalAction(a)));
}

export function createApprovalRequest(action: ApprovalAction, now: number, ttlMs: number): ApprovalRequest {
  return { action, actionHash: actionHash(action), requestedAt: now, expiresAt: now + ttlMs };
}

export function checkApproval(
  pending: ApprovalRequest | null,
  decision: ApprovalDecision,
  now: number,
): ApprovalCheck {
  if (!pending) return { ok: false, code: 'no_pending_approval' };
  // Recompute rather than trust the stored hash: a tampered action in storage must not pass either.
  if (decision.actionHash !== pending.actionHash || actionHash(pending.action) !== pending.actionHash) {
    return { ok: false, code: 'approval_mismatch' };
  }
  if (now >= pending.expiresAt) return { ok: false, code: 'approval_expired' };
  return { ok: true, approved: decision.approved };
}

/**
 * Who takes part, in the person's words (NGR10): `nameOf` answers the person's own name for a contact and
 * undefined for an id that is not a contact, which is never printed — a peer chooses ids, and an id can be
 * made to read like an instruction. `self`, the person, is left out.
 */
export function namePeople(
  ids: readonly string[],
  nameOf: (id: string) => string | undefined,
  self?: string,
): string[] {
  const names: string[] = [];
  let strangers = 0;
  for (const id of new Set(ids)) {
    if (id === self) continue;
    const name = nameOf(id);
    if (name === undefined) strangers++;
    else names.push(name);
  }
  if (strangers === 1) names.push("someone you don't know");
  if (strangers > 1) names.push(`${strangers} people you don't know`);
  return names;
}

/** How an approval is worded for the person (NGR10). */
export interface DescribeOptions {
  /** The person's own name for a contact; undefined for an id that is not a contact. */
  readonly nameOf: (id: string) => string | undefined;
  /** The person's own agent id: left out of the lists. */
  readonly self?: string;
  /**
   * For a participant: the organizer, the one peer the channel authenticated. Everyone else in the list is
   * only the organizer's claim, and the wording says so.
   */
  readonly organizer?: string;
}

const and = (names: readonly string[]) =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** One line for the popup / side panel; times are rendered by the UI in the person's zone. */
export function describeAction(a: ApprovalAction, o: DescribeOptions): string {
  const people = (ids: readonly string[]) => and(namePeople(ids, o.nameOf, o.self));
  switch (a.kind) {
    case 'book':
      return `Propose and book this time with ${people(a.participants)}`;
    case 'accept': {
      if (o.organizer === undefined) return `Accept this time with ${people(a.participants)}`;
      const others = a.participants.filter((p) => p !== o.organizer);
      const rest = namePeople(others, o.nameOf, o.self);
      const claim = rest.length > 0 ? `, who says ${and(rest)} will be there too` : '';
      return `Accept this time with ${people([o.organizer])}${claim}`;
    }
    case 'disclose':
      return a.andAccept
        ? `Offer ${people([a.to])} ${a.slots.length} time(s) that fit you; any of them may be booked without asking again`
        : `Share ${a.slots.length} free time(s) with ${people([a.to])}`;
  }
}
