import { toBase64Url } from '../crypto';
import type { Vault, VaultTx, VaultRecordMap } from '../vault';
import type { AgentStore, StoreWrite } from './agent-store';
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
 * clear on disk (docs/protocol/vault.md); names, texts, keys, sessions and sealed
 * payloads are encrypted under their category's data key.
 */
export function vaultAgentStore(vault: Vault): AgentStore {
  const unwrap = async <T>(pending: Promise<unknown>, field: string): Promise<T | undefined> =>
    ((await pending) as Record<string, T> | undefined)?.[field];
  const conversation = (contactId: string) => ({
    index: 'conversationAt',
    range: { lower: [contactId, -Infinity], upper: [contactId, Infinity] },
  });

  function apply(tx: VaultTx<VaultRecordMap>, write: StoreWrite, hashes: Map<string, string>): void {
    switch (write.kind) {
      case 'contact':
        return tx.put('contacts', { id: write.value.agentId, contact: write.value });
      case 'contact.delete':
        return tx.delete('contacts', write.agentId);
      case 'invite':
        return tx.put('invites', { id: hashes.get(write.value.secret)!, invite: write.value });
      case 'message':
        return tx.put('messages', {
          id: write.value.id,
          conversationId: write.value.contactId,
          at: write.value.at,
          message: write.value,
        });
      case 'outbox':
        return tx.put('outbox', { id: write.value.id, createdAt: write.value.createdAt, item: write.value });
      case 'outbox.delete':
        return tx.delete('outbox', write.id);
      case 'session':
        return tx.put('sessions', { id: write.agentId, session: write.value });
      case 'session.delete':
        return tx.delete('sessions', write.agentId);
      case 'prekeys':
        return tx.put('agentConfig', { id: 'prekeys', state: write.value });
      case 'seen':
        return tx.put('seen', { id: write.envelopeId, at: write.at });
    }
  }

  return {
    getIdentity: () => unwrap<IdentityRecord>(vault.get('agentConfig', 'identity'), 'identity'),
    async putIdentity(identity) {
      await vault.put('agentConfig', { id: 'identity', identity });
    },
    async getSettings() {
      return (await unwrap<Partial<Settings>>(vault.get('preferences', 'settings'), 'settings')) ?? {};
    },
    async putSettings(settings) {
      await vault.put('preferences', { id: 'settings', settings });
    },
    getContact: (agentId) => unwrap<ContactRecord>(vault.get('contacts', agentId), 'contact'),
    async listContacts() {
      return (await vault.query('contacts')).map((r) => r.contact as ContactRecord);
    },
    async getInvite(secret) {
      return unwrap<InviteRecord>(vault.get('invites', await hashId(secret)), 'invite');
    },
    getMessage: (id) => unwrap<MessageRecord>(vault.get('messages', id), 'message'),
    async listMessages(contactId) {
      return (await vault.query('messages', conversation(contactId))).map((r) => r.message as MessageRecord);
    },
    async messagesSince(at) {
      const records = await vault.query('messages', { index: 'at', range: { lower: at } });
      return records.map((r) => r.message as MessageRecord);
    },
    async listOutbox() {
      return (await vault.query('outbox', { index: 'createdAt' })).map((r) => r.item as OutboxRecord);
    },
    getSession: (agentId) => unwrap(vault.get('sessions', agentId), 'session'),
    getPrekeys: () => unwrap(vault.get('agentConfig', 'prekeys'), 'state'),
    async isSeen(envelopeId) {
      return (await vault.get('seen', envelopeId)) !== undefined;
    },
    async commit(writes) {
      if (writes.length === 0) return;
      // Hash invite secrets before the transaction: nothing may await inside it.
      const hashes = new Map<string, string>();
      for (const w of writes)
        if (w.kind === 'invite') hashes.set(w.value.secret, await hashId(w.value.secret));
      await vault.transaction(
        ['contacts', 'invites', 'messages', 'outbox', 'sessions', 'agentConfig', 'seen'],
        (tx) => writes.forEach((w) => apply(tx, w, hashes)),
      );
    },
  };
}

/** SHA-256 of an invite secret, base64url: a lookup key that does not reveal the secret. */
async function hashId(secret: string): Promise<string> {
  const bytes = new TextEncoder().encode(`parley/invite/${secret}`);
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}
