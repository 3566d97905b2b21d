import { z } from 'zod';
import { AgentIdInput, MAX_MESSAGE_CHARS, NoInput, actionsFor, type MessageSearchHit } from '../rpc';
import type { PeerService } from './peer-service';

export interface PeersActionContext {
  peers: PeerService;
  /** Full-text search over the conversation history (empty when the history could not load). */
  search(text: string): Promise<MessageSearchHit[]>;
}

const action = actionsFor<PeersActionContext>();

/** Contacts, invites and conversations (docs/protocol/agent.md ACT1). */
export const peersActions = {
  'contacts.list': action({
    input: NoInput,
    title: 'Show your contacts',
    effect: 'read',
    run: (_, { peers }) => peers.listContacts(),
  }),
  'contacts.verify': action({
    input: z.object({ contactId: AgentIdInput, verified: z.boolean() }).strict(),
    title: 'Mark a contact verified after comparing safety numbers',
    effect: 'change',
    run: ({ contactId, verified }, { peers }) => peers.verifyContact(contactId, verified),
  }),
  'contacts.rename': action({
    input: z.object({ contactId: AgentIdInput, name: z.string().trim().min(1).max(60) }).strict(),
    title: 'Rename a contact',
    effect: 'change',
    run: ({ contactId, name }, { peers }) => peers.renameContact(contactId, name),
  }),
  'contacts.block': action({
    input: z.object({ contactId: AgentIdInput, blocked: z.boolean() }).strict(),
    title: 'Block a contact (or unblock): nothing they send is read',
    effect: 'change',
    run: ({ contactId, blocked }, { peers }) => peers.blockContact(contactId, blocked),
  }),
  'contacts.remove': action({
    input: z.object({ contactId: AgentIdInput }).strict(),
    title: 'Remove a contact (past messages stay)',
    effect: 'danger',
    run: ({ contactId }, { peers }) => peers.removeContact(contactId),
  }),
  'conversations.list': action({
    input: NoInput,
    title: 'Show your conversations',
    effect: 'read',
    run: (_, { peers }) => peers.listConversations(),
  }),
  'invite.create': action({
    input: NoInput,
    title: 'Invite someone',
    effect: 'change',
    run: (_, { peers }) => peers.createInvite(),
  }),
  'invite.accept': action({
    input: z.object({ code: z.string().trim().min(1).max(2000) }).strict(),
    title: 'Accept an invite code',
    effect: 'change',
    run: ({ code }, { peers }) => peers.acceptInvite(code),
  }),
  'messages.list': action({
    input: z.object({ contactId: AgentIdInput }).strict(),
    title: 'Show a conversation',
    effect: 'read',
    run: ({ contactId }, { peers }) => peers.listMessages(contactId),
  }),
  'messages.send': action({
    input: z.object({ contactId: AgentIdInput, text: z.string().min(1).max(MAX_MESSAGE_CHARS) }).strict(),
    title: 'Send a message',
    effect: 'change',
    run: ({ contactId, text }, { peers }) => peers.sendChat(contactId, text),
  }),
  'messages.search': action({
    input: z.object({ text: z.string().trim().min(1).max(200) }).strict(),
    title: 'Search your messages',
    effect: 'read',
    run: ({ text }, { search }) => search(text),
  }),
};
