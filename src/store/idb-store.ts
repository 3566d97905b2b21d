import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AgentStore } from './agent-store';
import type {
  ContactRecord,
  IdentityRecord,
  InviteRecord,
  MessageRecord,
  OutboxRecord,
  Settings,
} from './records';

interface AgentDb extends DBSchema {
  meta: { key: string; value: unknown };
  contacts: { key: string; value: ContactRecord };
  invites: { key: string; value: InviteRecord };
  messages: { key: string; value: MessageRecord; indexes: { 'by-contact-at': [string, number] } };
  outbox: { key: string; value: OutboxRecord; indexes: { 'by-created': number } };
  seen: { key: string; value: { id: string; at: number } };
}

export const AGENT_DB_NAME = 'parley-agent';
const VERSION = 1;

/** The plain IndexedDB store of the walking skeleton (encryption at rest arrives with src/vault). */
export async function openIdbStore({ name = AGENT_DB_NAME } = {}): Promise<AgentStore> {
  const db = await openDB<AgentDb>(name, VERSION, {
    upgrade(db) {
      db.createObjectStore('meta');
      db.createObjectStore('contacts', { keyPath: 'agentId' });
      db.createObjectStore('invites', { keyPath: 'secret' });
      const messages = db.createObjectStore('messages', { keyPath: 'id' });
      messages.createIndex('by-contact-at', ['contactId', 'at']);
      const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
      outbox.createIndex('by-created', 'createdAt');
      db.createObjectStore('seen', { keyPath: 'id' });
    },
  });
  return new IdbStore(db);
}

class IdbStore implements AgentStore {
  constructor(private readonly db: IDBPDatabase<AgentDb>) {}

  async getIdentity() {
    return (await this.db.get('meta', 'identity')) as IdentityRecord | undefined;
  }
  async putIdentity(identity: IdentityRecord) {
    await this.db.put('meta', identity, 'identity');
  }
  async getSettings() {
    return ((await this.db.get('meta', 'settings')) as Partial<Settings> | undefined) ?? {};
  }
  async putSettings(settings: Settings) {
    await this.db.put('meta', settings, 'settings');
  }
  getContact(agentId: string) {
    return this.db.get('contacts', agentId);
  }
  listContacts() {
    return this.db.getAll('contacts');
  }
  async putContact(contact: ContactRecord) {
    await this.db.put('contacts', contact);
  }
  async deleteContact(agentId: string) {
    await this.db.delete('contacts', agentId);
  }
  getInvite(secret: string) {
    return this.db.get('invites', secret);
  }
  async putInvite(invite: InviteRecord) {
    await this.db.put('invites', invite);
  }
  getMessage(id: string) {
    return this.db.get('messages', id);
  }
  async putMessage(message: MessageRecord) {
    await this.db.put('messages', message);
  }
  listMessages(contactId: string) {
    const range = IDBKeyRange.bound([contactId, -Infinity], [contactId, Infinity]);
    return this.db.getAllFromIndex('messages', 'by-contact-at', range);
  }
  countMessages(contactId: string) {
    const range = IDBKeyRange.bound([contactId, -Infinity], [contactId, Infinity]);
    return this.db.countFromIndex('messages', 'by-contact-at', range);
  }
  async putOutbox(item: OutboxRecord) {
    await this.db.put('outbox', item);
  }
  listOutbox() {
    return this.db.getAllFromIndex('outbox', 'by-created');
  }
  async deleteOutbox(id: string) {
    await this.db.delete('outbox', id);
  }
  async isSeen(envelopeId: string) {
    return (await this.db.getKey('seen', envelopeId)) !== undefined;
  }
  async markSeen(envelopeId: string, at: number) {
    await this.db.put('seen', { id: envelopeId, at });
  }
}
