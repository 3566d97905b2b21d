import type { Envelope } from '../../relay/protocol';
import { fingerprint, openFrom, sealFor, toBase64Url, type Identity } from '../crypto';
import { ParleyError } from '../errors';
import type { ContactView, ConversationView, MessageView, RpcTopic } from '../rpc';
import type { AgentStore, ContactRecord, MessageRecord } from '../store';
import { INVITE_TTL_MS, decodeInvite, encodeInvite } from './invite';
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from './peer-message';

/** How the peers capability reaches the relay: the link, or a fake in tests. */
export interface PeerTransport {
  send(
    id: string,
    to: string,
    payload: string,
  ): Promise<{ ok: true } | { ok: false; error: { code: string; message: string }; permanent: boolean }>;
}

export interface PeerServiceDeps {
  identity: Identity;
  store: AgentStore;
  transport: PeerTransport;
  relayUrl(): string;
  displayName(): string;
  notify(topic: RpcTopic): void;
  now?: () => number;
  randomBytes?: (n: number) => Uint8Array;
  /** How long `acceptInvite` waits for the inviter's answer before reporting `pending`. */
  pairingWaitMs?: number;
}

type PairingWaiter = { resolve: () => void; reject: (error: ParleyError) => void };

const REJECT_MESSAGES = {
  invite_invalid: 'That invite code is not one your contact created. Ask them for a new code.',
  invite_used: 'That invite code was already used. Ask your contact for a new code.',
  invite_expired: 'That invite code has expired. Ask your contact for a new code.',
} as const;

/**
 * Contacts, pairing and conversations with other agents. Everything that leaves
 * goes through the outbox: sealed, persisted, then sent; it leaves the outbox
 * only when the relay acknowledges it (or refuses it for good).
 */
export class PeerService {
  readonly #waiters = new Map<string, PairingWaiter>();
  #flushing: Promise<void> | undefined;
  readonly #now: () => number;
  readonly #random: (n: number) => Uint8Array;

  constructor(private readonly deps: PeerServiceDeps) {
    this.#now = deps.now ?? Date.now;
    this.#random = deps.randomBytes ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
  }

  async createInvite(): Promise<{ code: string; expiresAt: number }> {
    const secret = toBase64Url(this.#random(18));
    const createdAt = this.#now();
    const expiresAt = createdAt + INVITE_TTL_MS;
    await this.deps.store.putInvite({ secret, createdAt, expiresAt });
    const code = encodeInvite({
      agentId: this.deps.identity.agentId,
      relayUrl: this.deps.relayUrl(),
      secret,
      expiresAt,
    });
    return { code, expiresAt };
  }

  async acceptInvite(code: string): Promise<{ contact: ContactView }> {
    const invite = decodeInvite(code, this.#now());
    if (invite.agentId === this.deps.identity.agentId) {
      throw new ParleyError(
        'invite_own',
        'This is your own invite code. Send it to the person you want to add.',
      );
    }
    const existing = await this.deps.store.getContact(invite.agentId);
    if (existing?.status === 'paired') return { contact: toContactView(existing) };

    const contact: ContactRecord = {
      agentId: invite.agentId,
      name: existing?.name ?? `Contact ${fingerprint(invite.agentId).slice(0, 9)}`,
      status: 'pending',
      addedAt: this.#now(),
    };
    await this.deps.store.putContact(contact);
    this.deps.notify('contacts');

    const answered = this.#waitForPairing(invite.agentId);
    await this.#queue(invite.agentId, {
      type: 'pair.request',
      v: 1,
      secret: invite.secret,
      name: this.deps.displayName(),
    });
    await answered; // throws the inviter's refusal
    const current = (await this.deps.store.getContact(invite.agentId)) ?? contact;
    return { contact: toContactView(current) };
  }

  async sendChat(contactId: string, text: string): Promise<MessageView> {
    const contact = await this.deps.store.getContact(contactId);
    if (!contact || contact.status !== 'paired') {
      throw new ParleyError('contact_unknown', 'You can only write to contacts who accepted your invite.');
    }
    const at = this.#now();
    const message: MessageRecord = { id: newId(), contactId, direction: 'out', text, at, status: 'queued' };
    await this.deps.store.putMessage(message);
    this.deps.notify('messages');
    await this.#queue(contactId, { type: 'chat', v: 1, text, sentAt: at }, message.id);
    return toMessageView((await this.deps.store.getMessage(message.id)) ?? message);
  }

  async listContacts(): Promise<ContactView[]> {
    const contacts = await this.deps.store.listContacts();
    return contacts.sort((a, b) => a.addedAt - b.addedAt).map(toContactView);
  }

  async listMessages(contactId: string): Promise<MessageView[]> {
    return (await this.deps.store.listMessages(contactId)).map(toMessageView);
  }

  async listConversations(): Promise<ConversationView[]> {
    const contacts = await this.deps.store.listContacts();
    const conversations = await Promise.all(
      contacts.map(async (contact) => {
        const messages = await this.deps.store.listMessages(contact.agentId);
        const last = messages.at(-1);
        return {
          contact: toContactView(contact),
          count: messages.length,
          ...(last ? { last: toMessageView(last) } : {}),
        };
      }),
    );
    return conversations.sort(
      (a, b) => (b.last?.at ?? b.contact.addedAt) - (a.last?.at ?? a.contact.addedAt),
    );
  }

  /**
   * Handles one envelope from the relay. Resolving tells the relay to forget it,
   * so everything that matters is stored before this returns. Envelopes that can
   * never be read (tampered, not for us, not a peer message) are dropped.
   */
  async receive(envelope: Envelope): Promise<void> {
    const { store } = this.deps;
    if (await store.isSeen(envelope.id)) return;
    let message: PeerMessage | null = null;
    try {
      message = decodePeerMessage(openFrom(this.deps.identity, envelope.from, envelope.payload));
    } catch {
      message = null;
    }
    if (message) await this.#handle(envelope, message);
    await store.markSeen(envelope.id, this.#now());
  }

  /** Sends what waits in the outbox, oldest first; stops at the first transient failure. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const { store } = this.deps;
    for (const item of await store.listOutbox()) {
      const outcome = await this.deps.transport.send(item.id, item.to, item.payload);
      if (!outcome.ok && !outcome.permanent) return;
      await store.deleteOutbox(item.id);
      if (item.messageId) {
        const message = await store.getMessage(item.messageId);
        if (message) {
          await store.putMessage(
            outcome.ok
              ? { ...message, status: 'sent' }
              : {
                  ...message,
                  status: 'failed',
                  error: { code: 'relay_refused', message: outcome.error.message },
                },
          );
          this.deps.notify('messages');
        }
      }
    }
  }

  async #queue(to: string, message: PeerMessage, messageId?: string): Promise<void> {
    const id = messageId ?? newId();
    const payload = sealFor(this.deps.identity, to, encodePeerMessage(message));
    await this.deps.store.putOutbox({
      id,
      to,
      payload,
      createdAt: this.#now(),
      ...(messageId ? { messageId } : {}),
    });
    await this.flush();
  }

  async #handle(envelope: Envelope, message: PeerMessage): Promise<void> {
    const { store } = this.deps;
    const from = envelope.from;
    const contact = await store.getContact(from);
    switch (message.type) {
      case 'pair.request': {
        const invite = await store.getInvite(message.secret);
        const refusal = !invite
          ? 'invite_invalid'
          : invite.usedBy && invite.usedBy !== from
            ? 'invite_used'
            : !invite.usedBy && invite.expiresAt <= this.#now()
              ? 'invite_expired'
              : null;
        if (refusal) {
          await this.#queue(from, { type: 'pair.reject', v: 1, reason: refusal });
          return;
        }
        await store.putInvite({ ...invite!, usedBy: from });
        await store.putContact({
          agentId: from,
          name: message.name || 'Unnamed',
          status: 'paired',
          addedAt: contact?.addedAt ?? this.#now(),
        });
        this.deps.notify('contacts');
        await this.#queue(from, { type: 'pair.accept', v: 1, name: this.deps.displayName() });
        return;
      }
      case 'pair.accept': {
        if (contact?.status !== 'pending') return;
        await store.putContact({ ...contact, name: message.name || contact.name, status: 'paired' });
        this.deps.notify('contacts');
        this.#settle(from);
        return;
      }
      case 'pair.reject': {
        if (contact?.status !== 'pending') return;
        await store.deleteContact(from);
        this.deps.notify('contacts');
        this.#settle(from, new ParleyError(message.reason, REJECT_MESSAGES[message.reason]));
        return;
      }
      case 'chat': {
        // Only people we paired with may write to us; anything else is dropped unread.
        if (contact?.status !== 'paired') return;
        await store.putMessage({
          id: envelope.id,
          contactId: from,
          direction: 'in',
          text: message.text,
          at: envelope.sentAt,
          status: 'received',
        });
        this.deps.notify('messages');
        return;
      }
    }
  }

  #waitForPairing(agentId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(agentId), this.deps.pairingWaitMs ?? 8_000);
      this.#waiters.get(agentId)?.resolve();
      this.#waiters.set(agentId, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  #settle(agentId: string, error?: ParleyError): void {
    const waiter = this.#waiters.get(agentId);
    if (!waiter) return;
    this.#waiters.delete(agentId);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

const newId = () => crypto.randomUUID().replaceAll('-', '');

function toContactView(contact: ContactRecord): ContactView {
  return { ...contact, fingerprint: fingerprint(contact.agentId) };
}

function toMessageView(message: MessageRecord): MessageView {
  return { ...message };
}
