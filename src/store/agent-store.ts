import type {
  ContactRecord,
  IdentityRecord,
  InviteRecord,
  MessageRecord,
  OutboxRecord,
  Settings,
} from './records';

/** One write of an atomic batch (`AgentStore.commit`). */
export type StoreWrite =
  | { kind: 'contact'; value: ContactRecord }
  | { kind: 'contact.delete'; agentId: string }
  | { kind: 'invite'; value: InviteRecord }
  | { kind: 'message'; value: MessageRecord }
  | { kind: 'outbox'; value: OutboxRecord }
  | { kind: 'outbox.delete'; id: string }
  /** Ratchet session state with one contact (plain JSON from src/crypto). */
  | { kind: 'session'; agentId: string; value: unknown }
  | { kind: 'session.delete'; agentId: string }
  /** The agent's own prekey state, secrets included (plain JSON from src/crypto). */
  | { kind: 'prekeys'; value: unknown }
  | { kind: 'seen'; envelopeId: string; at: number };

/**
 * What the agent keeps on the device, on the encrypted vault. Capabilities read
 * through the getters and write through `commit`, which applies a batch
 * atomically: an inbound message's new session state, what it changed and the
 * fact that it was handled land together or not at all.
 */
export interface AgentStore {
  getIdentity(): Promise<IdentityRecord | undefined>;
  putIdentity(identity: IdentityRecord): Promise<void>;

  getSettings(): Promise<Partial<Settings>>;
  putSettings(settings: Settings): Promise<void>;

  getContact(agentId: string): Promise<ContactRecord | undefined>;
  listContacts(): Promise<ContactRecord[]>;
  getInvite(secret: string): Promise<InviteRecord | undefined>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
  listMessages(contactId: string): Promise<MessageRecord[]>;
  /** Messages of every conversation at or after `at` (epoch ms), read through the time index. */
  messagesSince(at: number): Promise<MessageRecord[]>;
  listOutbox(): Promise<OutboxRecord[]>;
  getSession(agentId: string): Promise<unknown>;
  getPrekeys(): Promise<unknown>;
  /** Inbound envelope ids already handled: the relay may deliver an envelope twice. */
  isSeen(envelopeId: string): Promise<boolean>;

  commit(writes: readonly StoreWrite[]): Promise<void>;
}
