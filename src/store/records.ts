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

/** A sealed envelope waiting for the relay's acknowledgement. */
export interface OutboxRecord {
  id: string;
  to: string;
  payload: string;
  createdAt: number;
  messageId?: string;
}

export type { Settings };
