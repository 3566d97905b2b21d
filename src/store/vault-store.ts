import type { Vault } from '../vault';
import type { AgentStore } from './agent-store';
import type {
  ContactRecord,
  IdentityRecord,
  InviteRecord,
  MessageRecord,
  OutboxRecord,
  Settings,
} from './records';

/**
 * The agent's store on the encrypted vault (src/vault). Only ids and times are in
 * clear on disk (docs/protocol/vault.md); names, texts, keys and sealed payloads
 * are encrypted under their category's data key.
 */
export function vaultAgentStore(vault: Vault): AgentStore {
  const as = <T>(record: unknown) => record as T | undefined;
  const strip = <T extends object>(record: T) => {
    const { id: _id, ...rest } = record as T & { id: unknown };
    return rest;
  };

  return {
    async getIdentity() {
      const record = as<IdentityRecord & { id: string }>(await vault.get('agentConfig', 'identity'));
      return record && (strip(record) as IdentityRecord);
    },
    async putIdentity(identity) {
      await vault.put('agentConfig', { id: 'identity', ...identity });
    },
    async getSettings() {
      const record = as<Partial<Settings> & { id: string }>(await vault.get('preferences', 'settings'));
      return record ? (strip(record) as Partial<Settings>) : {};
    },
    async putSettings(settings) {
      await vault.put('preferences', { id: 'settings', ...settings });
    },

    async getContact(agentId) {
      const record = as<ContactRecord & { id: string }>(await vault.get('contacts', agentId));
      return record && (strip(record) as ContactRecord);
    },
    async listContacts() {
      return (await vault.query('contacts', {})).map((r) => strip(r) as unknown as ContactRecord);
    },
    async putContact(contact) {
      await vault.put('contacts', { id: contact.agentId, ...contact });
    },
    async deleteContact(agentId) {
      await vault.delete('contacts', agentId);
    },

    async getInvite(secret) {
      const record = as<{ id: string; invite: InviteRecord }>(
        await vault.get('invites', await hashId(secret)),
      );
      return record?.invite;
    },
    async putInvite(invite) {
      await vault.put('invites', { id: await hashId(invite.secret), invite });
    },

    async getMessage(id) {
      const record = as<{ id: string; conversationId: string; at: number; message: MessageRecord }>(
        await vault.get('messages', id),
      );
      return record?.message;
    },
    async putMessage(message) {
      await vault.put('messages', {
        id: message.id,
        conversationId: message.contactId,
        at: message.at,
        message,
      });
    },
    async listMessages(contactId) {
      const records = await vault.query('messages', {
        index: 'conversationAt',
        range: { lower: [contactId, -Infinity], upper: [contactId, Infinity] },
      });
      return records.map((r) => (r as unknown as { message: MessageRecord }).message);
    },
    async countMessages(contactId) {
      return vault.count('messages', {
        index: 'conversationAt',
        range: { lower: [contactId, -Infinity], upper: [contactId, Infinity] },
      });
    },

    async putOutbox(item) {
      await vault.put('outbox', { id: item.id, createdAt: item.createdAt, item });
    },
    async listOutbox() {
      const records = await vault.query('outbox', { index: 'createdAt' });
      return records.map((r) => (r as unknown as { item: OutboxRecord }).item);
    },
    async deleteOutbox(id) {
      await vault.delete('outbox', id);
    },

    async isSeen(envelopeId) {
      return (await vault.get('seen', envelopeId)) !== undefined;
    },
    async markSeen(envelopeId, at) {
      await vault.put('seen', { id: envelopeId, at });
    },
  };
}

/** SHA-256 of a secret, base64url: a lookup key that does not reveal the secret. */
async function hashId(secret: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`parley/invite/${secret}`)),
  );
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
