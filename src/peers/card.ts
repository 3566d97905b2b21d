import { z } from 'zod';
import { fromBase64Url, sign, toBase64Url, verify, type Identity } from '../crypto';
import { createLogger } from '../log';
import type { ContactRecord } from '../store';

const log = createLogger('peers').child('card');

/**
 * [ATT4] The agent card: what an agent says about itself to its contacts, signed with its identity key
 * (the agent id is the public key), so a contact can check that the agent itself issued it. Today it
 * carries one optional thing: the e-mail address its person chose to share (off by default), which lets
 * an organizer invite them to the meeting's event. `issuedAt` orders cards: a contact keeps the newest.
 * The signature covers the agent id, the address (or its absence) and `issuedAt`.
 */
export const AgentCard = z.strictObject({
  v: z.literal(1),
  email: z.email().max(254).optional(),
  issuedAt: z.number().int().positive(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type AgentCard = z.infer<typeof AgentCard>;

const LABEL = 'parley/agent-card/v1\u0000';

function signedBytes(agentId: string, email: string | undefined, issuedAt: number): Uint8Array {
  return new TextEncoder().encode(LABEL + JSON.stringify([agentId, email ?? '', issuedAt]));
}

export function signCard(identity: Identity, card: { email?: string; issuedAt: number }): AgentCard {
  const email = card.email?.trim() || undefined;
  const sig = toBase64Url(sign(identity, signedBytes(identity.agentId, email, card.issuedAt)));
  return { v: 1, ...(email !== undefined && { email }), issuedAt: card.issuedAt, sig };
}

/** Whether `card` was signed by the agent `agentId` (the sender the channel authenticated). */
export function verifyCard(agentId: string, card: AgentCard): boolean {
  return verify(agentId, signedBytes(agentId, card.email, card.issuedAt), fromBase64Url(card.sig));
}

/**
 * ATT4: the contact with what its card says, when the card is signed by `from` and newer than the one
 * kept; otherwise the contact unchanged (an old agent sends no card; a forged or stale one is ignored).
 */
export function withCard(contact: ContactRecord, from: string, card: AgentCard | undefined): ContactRecord {
  if (!card) return contact;
  if (!verifyCard(from, card)) {
    log.warn('card_rejected', { reason: 'bad_signature' });
    return contact;
  }
  if (contact.cardAt !== undefined && card.issuedAt <= contact.cardAt) return contact;
  const { email: _old, ...rest } = contact;
  return { ...rest, ...(card.email !== undefined && { email: card.email }), cardAt: card.issuedAt };
}
