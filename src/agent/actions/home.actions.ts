import { z } from 'zod';
import { ParleyError } from '../../errors';
import { decodeInvite } from '../../peers';
import { NoInput, actionsFor, type ActivityItem, type InviteStatusView } from '../../rpc';
import { ONBOARDING_STEPS, auditStore, negotiationStore, onboardingStore } from '../../store';
import { normalizePeerText } from '../../text';
import { checkRelay, type FetchLike } from '../relay-check';
import type { AgentSession } from '../session';
import type { Vault } from '../../vault';

/** What the side panel's home reads: the session, its vault, the clock and the network. */
export interface HomeContext {
  readonly session: AgentSession;
  readonly vault: Vault;
  now(): number;
}

export interface RelayCheckContext {
  fetch: FetchLike;
}

const action = actionsFor<HomeContext>();
const checkAction = actionsFor<RelayCheckContext>();

/** How many activity lines one call returns at most (newest first). */
const ACTIVITY_LIMIT = 500;

/** The side panel's home: the activity log and invites' state (docs/protocol/interface-home.md). */
export const homeActions = {
  /** [HOM3] Disclosures, bookings and model requests, newest first, with the contacts' own names. */
  'activity.list': action({
    input: NoInput,
    title: 'Show what your agent did and shared',
    effect: 'read',
    async run(_, { session, vault }): Promise<ActivityItem[]> {
      const contacts = await session.peers.listContacts();
      const names = new Map(contacts.map((c) => [c.agentId, c.name]));
      const titles = new Map(
        (await negotiationStore(vault).list()).map((r) => [
          r.id,
          r.state.role === 'organizer'
            ? r.state.request.title
            : // Peer text: normalised as the meetings list shows it (NEG18).
              normalizePeerText(String(r.state.ask.title ?? ''), { maxChars: 200 }) || undefined,
        ]),
      );
      const audit = (await auditStore(vault).list()).map((entry, index): ActivityItem => ({
        id: `audit-${entry.at}-${index}`,
        at: entry.at,
        kind: entry.action,
        contacts: entry.counterparts
          .filter((id) => id !== session.identity.agentId)
          .map((id) => ({ id, name: names.get(id) ?? 'someone you don’t know' })),
        slots: entry.slots.map(({ start, end }) => ({ start, end })),
        ...(entry.hours?.length ? { hours: entry.hours.map(({ start, end }) => ({ start, end })) } : {}),
        negotiationId: entry.negotiationId,
        ...(titles.get(entry.negotiationId) ? { title: titles.get(entry.negotiationId) } : {}),
      }));
      const requests = ((await session.modelRequests?.list()) ?? []).map((r, index): ActivityItem => ({
        id: `model-${r.at}-${index}`,
        at: r.at,
        kind: 'model_request',
        contacts: [],
        slots: [],
        model: r.model,
        text: r.text,
      }));
      return [...audit, ...requests].sort((a, b) => b.at - a.at).slice(0, ACTIVITY_LIMIT);
    },
  }),
  /** [INV2] Where an invite code stands: your own one used or not; someone else's already accepted or not. */
  'invite.status': action({
    input: z.object({ code: z.string().trim().min(1).max(2000) }).strict(),
    title: 'Check an invite code',
    effect: 'read',
    async run({ code }, { session, now }): Promise<InviteStatusView> {
      let invite;
      try {
        // Decoded with time 0: expiry is judged below, by whose invite it is.
        invite = decodeInvite(code, 0);
      } catch (error) {
        if (error instanceof ParleyError) return { mine: false, state: 'invalid' };
        throw error;
      }
      const contacts = await session.peers.listContacts();
      const nameOf = (id: string) => contacts.find((c) => c.agentId === id)?.name;
      if (invite.agentId === session.identity.agentId) {
        const stored = await session.store.getInvite(invite.secret);
        if (!stored) return { mine: true, state: 'invalid' };
        if (stored.usedBy) {
          const name = nameOf(stored.usedBy);
          return { mine: true, state: 'used', ...(name ? { name } : {}) };
        }
        return { mine: true, state: stored.expiresAt <= now() ? 'expired' : 'open' };
      }
      const contact = contacts.find((c) => c.agentId === invite.agentId && c.status === 'paired');
      if (contact) return { mine: false, state: 'already_contact', name: contact.name };
      return { mine: false, state: invite.expiresAt <= now() ? 'expired' : 'new' };
    },
  }),
};

/** [ONB2] The guided first run's progress: which step to resume at ('done' once finished or skipped). */
export const onboardingActions = {
  'onboarding.get': action({
    input: NoInput,
    title: 'Show where your first-run setup stands',
    effect: 'read',
    async run(_, { vault }) {
      // An agent set up before the guided first run had nothing to resume: done.
      return { step: (await onboardingStore(vault).load())?.step ?? 'done' };
    },
  }),
  'onboarding.set': action({
    input: z.object({ step: z.enum(ONBOARDING_STEPS) }).strict(),
    title: 'Continue your first-run setup',
    effect: 'change',
    async run({ step }, { vault, now }) {
      await onboardingStore(vault).save({ step, at: now() });
      return { step };
    },
  }),
};

/** [CLR2] Asks a relay's health endpoint; works before set-up too (onboarding checks the relay first). */
export const relayCheckActions = {
  'relay.check': checkAction({
    input: z.object({ url: z.string().trim().min(1).max(500) }).strict(),
    title: 'Check that a relay answers',
    effect: 'read',
    run: ({ url }, { fetch }) => checkRelay(url, fetch),
  }),
};
