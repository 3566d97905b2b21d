import type { ContactStatus, MessageStatus, Settings } from '../rpc';
import type { ErrorShape } from '../errors';

export interface IdentityRecord {
  secretKey: Uint8Array;
  createdAt: number;
}

export interface ContactRecord {
  agentId: string;
  name: string;
  status: ContactStatus;
  addedAt: number;
  /** When the person compared safety numbers and marked this contact verified. */
  verifiedAt?: number;
  /** ATT4: the e-mail address the contact shared in its signed agent card, and that card's issuedAt. */
  email?: string;
  cardAt?: number;
}

export interface MessageRecord {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
  status: MessageStatus;
  error?: ErrorShape;
}

export interface InviteRecord {
  secret: string;
  createdAt: number;
  expiresAt: number;
  usedBy?: string;
}

/**
 * Something to send. It is queued as `plain` (a peer message, encrypted at rest
 * by the vault) and sealed for the ratchet at send time into `payload`, which is
 * then kept so a retry resends the same ciphertext.
 */
export interface OutboxRecord {
  id: string;
  to: string;
  createdAt: number;
  plain?: string;
  payload?: string;
  messageId?: string;
}

export type { Settings };
