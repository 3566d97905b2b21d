import type { Envelope } from '../../relay/protocol';
import { fingerprint, isE2eError, safetyNumber, toBase64Url, type Identity } from '../crypto';
import { ParleyError } from '../errors';
import type { ContactView, ConversationView, MessageView, RpcTopic } from '../rpc';
import type { AgentStore, ContactRecord, MessageRecord, StoreWrite } from '../store';
import { SecureChannel, type KeyDirectory } from './channel';
import { signCard, withCard, type AgentCard } from './card';
import { INVITE_TTL_MS, checkInviteRelay, decodeInvite, encodeInvite } from './invite';
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from './peer-message';
import { isLoopbackRelay } from './relay-address';
import { createLogger, errorFields } from '../log';

const log = createLogger('peers');

/** How the peers capability reaches the relay: the link, or a fake in tests. */
export interface PeerTransport extends KeyDirectory {
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
  /** ATT4: the e-mail address the person shares with contacts in the signed agent card ('' or absent: none). */
  sharedEmail?(): string;
  notify(topic: RpcTopic): void;
  now?: () => number;
  randomBytes?: (n: number) => Uint8Array;
  /** How long `acceptInvite` waits for the inviter's answer before reporting `pending`. */
  pairingWaitMs?: number;
  /** A chat message was stored (sent or received): the searchable history indexes it. */
  onMessageStored?(message: MessageRecord): void;
  /** Scheduling messages from paired contacts, handed over after the envelope is committed. */
  onNegotiationMessage?(from: string, body: string): void;
}

type PairingWaiter = { resolve: () => void; reject: (error: ParleyError) => void };

const REJECT_MESSAGES = {
  invite_invalid: 'That invite code is not one your contact created. Ask them for a new code.',
  invite_used: 'That invite code was already used. Ask your contact for a new code.',
  invite_expired: 'That invite code has expired. Ask your contact for a new code.',
} as const;

/**
 * Contacts, pairing and conversations with other agents, end-to-end encrypted.
 *
 * Outgoing: the peer message is queued in the outbox (encrypted at rest by the
 * vault), sealed with the contact's ratchet when it is sent, and leaves the outbox
 * when the relay acknowledges it (or refuses it for good).
 * Incoming: the envelope is opened, handled, and the new session state, what the
 * message changed and its id land in one atomic commit before the relay is told
 * it may forget the envelope.
 */
export class PeerService {
  readonly #waiters = new Map<string, PairingWaiter>();
  readonly #channel: SecureChannel;
  #flushing: Promise<void> | undefined;
  #flushAgain = false;
  readonly #now: () => number;
  readonly #random: (n: number) => Uint8Array;

  constructor(private readonly deps: PeerServiceDeps) {
    this.#now = deps.now ?? Date.now;
    this.#random = deps.randomBytes ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
    this.#channel = new SecureChannel(deps.identity, deps.store, deps.transport, this.#now);
  }

  /** Call after every relay login: publishes prekeys as needed, then sends what waits. */
  async onLogin(): Promise<void> {
    // Publishing prekeys may fail (the relay refused, the link dropped): the next login tries again, and
    // what waits in the outbox must still be sent now.
    await this.#channel
      .maintainPrekeys()
      .catch((error: unknown) => log.warn('prekeys_not_published', errorFields(error)));
    await this.flush();
  }

  /**
   * A one-time code naming this agent and its relay. `relayOnThisComputer`: the relay is a loopback address,
   * which an invitee elsewhere cannot reach (PAIR6); the side panel says so.
   */
  async createInvite(): Promise<{
    code: string;
    expiresAt: number;
    relayUrl: string;
    relayOnThisComputer: boolean;
  }> {
    const secret = toBase64Url(this.#random(18));
    const createdAt = this.#now();
    const expiresAt = createdAt + INVITE_TTL_MS;
    await this.deps.store.commit([{ kind: 'invite', value: { secret, createdAt, expiresAt } }]);
    const relayUrl = this.deps.relayUrl();
    const code = encodeInvite({ agentId: this.deps.identity.agentId, relayUrl, secret, expiresAt });
    return { code, expiresAt, relayUrl, relayOnThisComputer: isLoopbackRelay(relayUrl) };
  }

  async acceptInvite(code: string): Promise<{ contact: ContactView }> {
    const invite = decodeInvite(code, this.#now());
    if (invite.agentId === this.deps.identity.agentId) {
      throw new ParleyError(
        'invite_own',
        'This is your own invite code. Send it to the person you want to add.',
      );
    }
    checkInviteRelay(invite.relayUrl, this.deps.relayUrl());
    const existing = await this.deps.store.getContact(invite.agentId);
    if (existing?.status === 'paired') return { contact: this.#contactView(existing) };

    const contact: ContactRecord = {
      agentId: invite.agentId,
      name: existing?.name ?? `Contact ${fingerprint(invite.agentId).slice(0, 9)}`,
      status: 'pending',
      addedAt: this.#now(),
    };
    const answered = this.#waitForPairing(invite.agentId);
    await this.deps.store.commit([
      { kind: 'contact', value: contact },
      this.#queue(invite.agentId, {
        type: 'pair.request',
        v: 1,
        secret: invite.secret,
        name: this.deps.displayName(),
        card: this.#card(),
      }),
    ]);
    this.deps.notify('contacts');
    await this.flush();
    await answered; // throws the inviter's refusal
    const current = (await this.deps.store.getContact(invite.agentId)) ?? contact;
    return { contact: this.#contactView(current) };
  }

  async sendChat(contactId: string, text: string): Promise<MessageView> {
    const contact = await this.deps.store.getContact(contactId);
    if (!contact || contact.status !== 'paired') {
      throw new ParleyError('contact_unknown', 'You can only write to contacts who accepted your invite.');
    }
    const at = this.#now();
    const message: MessageRecord = { id: newId(), contactId, direction: 'out', text, at, status: 'queued' };
    await this.deps.store.commit([
      { kind: 'message', value: message },
      this.#queue(contactId, { type: 'chat', v: 1, text, sentAt: at }, message.id),
    ]);
    this.deps.notify('messages');
    this.deps.onMessageStored?.(message);
    await this.flush();
    return toMessageView((await this.deps.store.getMessage(message.id)) ?? message);
  }

  /** Sends a scheduling message to a paired contact through the outbox and the ratchet. */
  async sendNegotiationMessage(to: string, body: string): Promise<void> {
    const contact = await this.deps.store.getContact(to);
    if (contact?.status !== 'paired') {
      throw new ParleyError(
        'contact_unknown',
        'You can only negotiate with contacts who accepted your invite.',
      );
    }
    await this.deps.store.commit([this.#queue(to, { type: 'negotiation', v: 1, body })]);
    void this.flush();
  }

  /** [SAF5] Marks a contact verified after the person compared safety numbers. */
  async verifyContact(agentId: string, verified: boolean): Promise<ContactView> {
    const contact = await this.deps.store.getContact(agentId);
    if (!contact) throw new ParleyError('contact_unknown', 'There is no such contact.');
    const { verifiedAt: _old, ...rest } = contact;
    const updated: ContactRecord = verified ? { ...rest, verifiedAt: this.#now() } : rest;
    await this.deps.store.commit([{ kind: 'contact', value: updated }]);
    this.deps.notify('contacts');
    return this.#contactView(updated);
  }

  /** The person's own name for a contact: a peer never chooses how it is shown after pairing. */
  async renameContact(agentId: string, name: string): Promise<ContactView> {
    const contact = await this.#contact(agentId);
    const updated: ContactRecord = { ...contact, name };
    await this.deps.store.commit([{ kind: 'contact', value: updated }]);
    this.deps.notify('contacts');
    return this.#contactView(updated);
  }

  /**
   * [CTC2] A blocked contact stays in the list so it can be unblocked, but everything it sends is
   * dropped unread (chat, scheduling, pairing) and nothing is sent to it. Unblocking pairs it again.
   */
  async blockContact(agentId: string, blocked: boolean): Promise<ContactView> {
    const contact = await this.#contact(agentId);
    if (contact.status === 'pending' && !blocked) return this.#contactView(contact);
    const updated: ContactRecord = { ...contact, status: blocked ? 'blocked' : 'paired' };
    const queued = blocked ? (await this.deps.store.listOutbox()).filter((o) => o.to === agentId) : [];
    await this.deps.store.commit([
      { kind: 'contact', value: updated },
      ...queued.map((o): StoreWrite => ({ kind: 'outbox.delete', id: o.id })),
    ]);
    this.deps.notify('contacts');
    return this.#contactView(updated);
  }

  /**
   * Forgets a contact: its entry, the encrypted session with it and what still waits to be sent to
   * it. Past messages stay in the history. Pairing again takes a new invite.
   */
  async removeContact(agentId: string): Promise<{ removed: string }> {
    await this.#contact(agentId);
    const queued = (await this.deps.store.listOutbox()).filter((o) => o.to === agentId);
    await this.deps.store.commit([
      { kind: 'contact.delete', agentId },
      { kind: 'session.delete', agentId },
      ...queued.map((o): StoreWrite => ({ kind: 'outbox.delete', id: o.id })),
    ]);
    this.#settle(agentId, new ParleyError('contact_unknown', 'That contact was removed.'));
    this.deps.notify('contacts');
    return { removed: agentId };
  }

  async #contact(agentId: string): Promise<ContactRecord> {
    const contact = await this.deps.store.getContact(agentId);
    if (!contact)
      throw new ParleyError('contact_unknown', 'There is no such contact. Reopen the list and try again.');
    return contact;
  }

  async listContacts(): Promise<ContactView[]> {
    const contacts = await this.deps.store.listContacts();
    return contacts.sort((a, b) => a.addedAt - b.addedAt).map((c) => this.#contactView(c));
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
          contact: this.#contactView(contact),
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
   * so everything it changed is committed first. Envelopes that can never be read
   * (tampered, replayed, not for us, not a peer message) are recorded as seen and
   * dropped.
   */
  async receive(envelope: Envelope): Promise<void> {
    const { store } = this.deps;
    if (await store.isSeen(envelope.id)) return;
    const writes: StoreWrite[] = [];
    const after: (() => void)[] = [];
    try {
      const opened = await this.#channel.open(envelope.from, envelope.id, envelope.payload);
      // The ratchet moved even if the content is not a peer message: keep its new state.
      writes.push(...opened.writes);
      const message = decodePeerMessage(opened.plaintext);
      if (message) await this.#handle(envelope, message, writes, after);
    } catch (error) {
      // A message we cannot open is dropped (and marked seen, so it is not offered again); anything else is
      // a bug to surface.
      if (!isE2eError(error)) throw error;
      log.warn('envelope_dropped', errorFields(error));
    }
    writes.push({ kind: 'seen', envelopeId: envelope.id, at: this.#now() });
    await store.commit(writes);
    after.forEach((run) => run());
    if (writes.some((w) => w.kind === 'outbox')) void this.flush();
  }

  /**
   * Sends what waits in the outbox, oldest first; stops at the first transient
   * failure. Calls during a run are not lost: the run goes round again.
   */
  flush(): Promise<void> {
    this.#flushAgain = true;
    this.#flushing ??= (async () => {
      while (this.#flushAgain) {
        this.#flushAgain = false;
        if (!(await this.#flushOnce())) break;
      }
    })().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** One pass over the outbox; false when it stopped at a transient failure. */
  async #flushOnce(): Promise<boolean> {
    const { store } = this.deps;
    for (let item of await store.listOutbox()) {
      if (item.payload === undefined) {
        // Seal now and keep the ciphertext with the new session state, so a retry resends the same bytes.
        let sealed;
        try {
          sealed = await this.#channel.seal(item.to, item.id, new TextEncoder().encode(item.plain));
        } catch (error) {
          // No bundle or session yet (relay offline?): try again on the next login.
          log.warn('seal_deferred', errorFields(error));
          return false;
        }
        const { plain: _plain, ...rest } = item;
        item = { ...rest, payload: sealed.payload };
        await store.commit([...sealed.writes, { kind: 'outbox', value: item }]);
      }
      const outcome = await this.deps.transport.send(item.id, item.to, item.payload!);
      if (!outcome.ok && !outcome.permanent) return false;
      const writes: StoreWrite[] = [{ kind: 'outbox.delete', id: item.id }];
      const message = item.messageId ? await store.getMessage(item.messageId) : undefined;
      if (message) {
        writes.push({
          kind: 'message',
          value: outcome.ok
            ? { ...message, status: 'sent' }
            : {
                ...message,
                status: 'failed',
                error: { code: 'relay_refused', message: outcome.error.message },
              },
        });
      }
      await store.commit(writes);
      if (message) this.deps.notify('messages');
    }
    return true;
  }

  #queue(to: string, message: PeerMessage, messageId?: string): StoreWrite {
    const id = messageId ?? newId();
    const plain = new TextDecoder().decode(encodePeerMessage(message));
    return {
      kind: 'outbox',
      value: { id, to, plain, createdAt: this.#now(), ...(messageId ? { messageId } : {}) },
    };
  }

  async #handle(
    envelope: Envelope,
    message: PeerMessage,
    writes: StoreWrite[],
    after: (() => void)[],
  ): Promise<void> {
    const { store } = this.deps;
    const from = envelope.from;
    const contact = await store.getContact(from);
    // [CTC2] Nothing a blocked contact sends is read, whatever it is.
    if (contact?.status === 'blocked') return;
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
          writes.push(this.#queue(from, { type: 'pair.reject', v: 1, reason: refusal }));
          return;
        }
        writes.push(
          { kind: 'invite', value: { ...invite!, usedBy: from } },
          {
            kind: 'contact',
            value: withCard(
              {
                agentId: from,
                name: message.name || 'Unnamed',
                status: 'paired',
                addedAt: contact?.addedAt ?? this.#now(),
              },
              from,
              message.card,
            ),
          },
          this.#queue(from, { type: 'pair.accept', v: 1, name: this.deps.displayName(), card: this.#card() }),
        );
        after.push(() => this.deps.notify('contacts'));
        return;
      }
      case 'pair.accept': {
        if (contact?.status !== 'pending') return;
        writes.push({
          kind: 'contact',
          value: withCard(
            { ...contact, name: message.name || contact.name, status: 'paired' },
            from,
            message.card,
          ),
        });
        after.push(() => {
          this.deps.notify('contacts');
          this.#settle(from);
        });
        return;
      }
      case 'pair.reject': {
        if (contact?.status !== 'pending') return;
        writes.push({ kind: 'contact.delete', agentId: from });
        after.push(() => {
          this.deps.notify('contacts');
          this.#settle(from, new ParleyError(message.reason, REJECT_MESSAGES[message.reason]));
        });
        return;
      }
      case 'card': {
        if (contact?.status !== 'paired') return;
        const updated = withCard(contact, from, message.card);
        if (updated === contact) return;
        writes.push({ kind: 'contact', value: updated });
        after.push(() => this.deps.notify('contacts'));
        return;
      }
      case 'negotiation': {
        if (contact?.status !== 'paired') return;
        after.push(() => this.deps.onNegotiationMessage?.(from, message.body));
        return;
      }
      case 'chat': {
        // Only people we paired with may write to us; anything else is dropped unread.
        if (contact?.status !== 'paired') return;
        const stored: MessageRecord = {
          id: envelope.id,
          contactId: from,
          direction: 'in',
          text: message.text,
          at: envelope.sentAt,
          status: 'received',
        };
        writes.push({ kind: 'message', value: stored });
        after.push(() => {
          this.deps.notify('messages');
          this.deps.onMessageStored?.(stored);
        });
        return;
      }
    }
  }

  /** ATT4: this agent's card, signed now. */
  #card(): AgentCard {
    const email = this.deps.sharedEmail?.() ?? '';
    return signCard(this.deps.identity, { ...(email !== '' && { email }), issuedAt: this.#now() });
  }

  /** [ATT5] Sends a freshly signed card to every paired contact (the person changed what they share). */
  async publishCard(): Promise<void> {
    const paired = (await this.deps.store.listContacts()).filter((c) => c.status === 'paired');
    if (paired.length === 0) return;
    const card = this.#card();
    await this.deps.store.commit(paired.map((c) => this.#queue(c.agentId, { type: 'card', v: 1, card })));
    await this.flush();
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

  #contactView(contact: ContactRecord): ContactView {
    const { groups, qrPayload } = safetyNumber(this.deps.identity.agentId, contact.agentId);
    return {
      agentId: contact.agentId,
      name: contact.name,
      status: contact.status,
      addedAt: contact.addedAt,
      fingerprint: fingerprint(contact.agentId),
      safetyNumber: groups.join(' '),
      safetyQr: qrPayload,
      verified: contact.verifiedAt !== undefined,
      ...(contact.email !== undefined && { email: contact.email }),
    };
  }
}

const newId = () => crypto.randomUUID().replaceAll('-', '');

function toMessageView(message: MessageRecord): MessageView {
  return { ...message };
}
