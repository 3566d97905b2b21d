import type {
  ContactRecord,
  IdentityRecord,
  InviteRecord,
  MessageRecord,
  OutboxRecord,
  Settings,
} from './records';

/**
 * What the agent keeps on the device. One interface, so the encrypted vault
 * (src/vault) can take over from the plain IndexedDB store without touching
 * the capabilities that use it.
 */
export interface AgentStore {
  getIdentity(): Promise<IdentityRecord | undefined>;
  putIdentity(identity: IdentityRecord): Promise<void>;

  getSettings(): Promise<Partial<Settings>>;
  putSettings(settings: Settings): Promise<void>;

  getContact(agentId: string): Promise<ContactRecord | undefined>;
  listContacts(): Promise<ContactRecord[]>;
  putContact(contact: ContactRecord): Promise<void>;
  deleteContact(agentId: string): Promise<void>;

  getInvite(secret: string): Promise<InviteRecord | undefined>;
  putInvite(invite: InviteRecord): Promise<void>;

  getMessage(id: string): Promise<MessageRecord | undefined>;
  putMessage(message: MessageRecord): Promise<void>;
  listMessages(contactId: string): Promise<MessageRecord[]>;
  countMessages(contactId: string): Promise<number>;

  putOutbox(item: OutboxRecord): Promise<void>;
  listOutbox(): Promise<OutboxRecord[]>;
  deleteOutbox(id: string): Promise<void>;

  /** Inbound envelope ids already handled: the relay may deliver an envelope twice. */
  isSeen(envelopeId: string): Promise<boolean>;
  markSeen(envelopeId: string, at: number): Promise<void>;
}
