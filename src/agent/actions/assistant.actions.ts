import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import {
  applyFollowUp,
  asRequest,
  mayFollowUp,
  planCommand,
  type Plan,
  type ProposedAction,
  type Understood,
} from '../../assistant';
import { ParleyError } from '../../errors';
import { actionsFor, type AgendaView, type AssistantReply } from '../../rpc';
import type { ModelKeyStore } from '../../store';
import type { AgentSession } from '../session';

export interface AssistantActionContext {
  session: AgentSession;
  /** The endpoint's API key, in the vault. */
  modelKey: ModelKeyStore;
  /** The registry's own dispatch: a confirmed proposal runs exactly the actions the person saw. */
  dispatch(action: string, input: unknown): Promise<unknown>;
  now(): number;
}

const action = actionsFor<AssistantActionContext>();
const PROPOSAL_TTL_MS = 10 * 60_000;

/** The agent you talk to (docs/protocol/proposals.md PRP1–PRP5). */
export const assistantActions = {
  'assistant.ask': action({
    input: z.object({ text: z.string().trim().min(1).max(1000) }).strict(),
    title: 'Ask your agent in your own words',
    effect: 'read',
    async run({ text }, { session, now }): Promise<AssistantReply> {
      const at = now();
      const [contacts, meetings, preferences] = await Promise.all([
        session.peers.listContacts(),
        session.negotiator.list(),
        session.negotiator.meetingPreferences(),
      ]);
      const timeZone = preferences.timeZone;
      const local = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone);
      const earlier = await session.chat.summary();
      const context = {
        now: local.toPlainDateTime().toString({ smallestUnit: 'second' }),
        timeZone,
        contacts: contacts.map((c) => c.name),
        ...(earlier && { earlier }),
      };
      // [CHT1] The person's words are in the thread (and the vault) before anything else happens.
      await session.chat.add({ id: crypto.randomUUID(), at, role: 'person', text });
      // [CHT2] What a model writes while it works is shown as it arrives.
      const options = { onText: (words: string) => session.chat.stream(words) };
      let understood: Understood;
      try {
        understood = await session.assistant.understand(text, context, options);
        // [PRP6] "make it an hour", "what about Thursday?": the pending request, edited.
        const pending = session.proposals.latest(at);
        if (pending && mayFollowUp(understood.command, text)) {
          const followUp = await session.assistant.understand(asRequest(text), context, options);
          const edited = applyFollowUp(pending.command, followUp.command);
          if (edited) {
            session.proposals.take(pending.id, at); // replaced by the edited one
            await session.chat.settle(pending.id, 'replaced');
            understood = { ...followUp, command: edited };
          }
        }
      } finally {
        session.chat.endStream();
      }
      const plan: Plan = planCommand(understood.command, { contacts, meetings, timeZone, now: at });
      const base = {
        provider: understood.provider,
        ...(understood.note ? { note: understood.note } : {}),
        command: understood.command,
        reply: plan.reply,
      };
      let reply: AssistantReply = base;
      if (plan.kind === 'agenda') {
        const agenda: AgendaView = { range: plan.range, items: await session.calendar.agenda(plan.range) };
        reply = { ...base, agenda };
      } else if (plan.kind === 'propose') {
        const id = session.proposals.add(
          plan.actions,
          at + PROPOSAL_TTL_MS,
          understood.command.intent === 'schedule' ? understood.command : undefined,
        );
        reply = { ...base, proposal: { id, actions: plan.actions.map((a) => ({ label: a.label })) } };
      }
      await session.chat.add({
        id: crypto.randomUUID(),
        at: now(),
        role: 'agent',
        text: reply.reply,
        provider: reply.provider,
        ...(reply.note && { note: reply.note }),
        command: understood.command,
        ...(reply.proposal && { proposal: { ...reply.proposal, state: 'open' as const } }),
        ...(reply.agenda && { agenda: reply.agenda }),
      });
      return reply;
    },
  }),
  /** [CHT1] The conversation so far (the newest turns) and what a model is writing now. */
  'assistant.thread': action({
    input: z.object({}).strict(),
    title: 'Show your conversation with your agent',
    effect: 'read',
    async run(_, { session, now }) {
      const at = now();
      const turns = (await session.chat.recent()).map((turn) =>
        // [CHT3] An open proposal the agent no longer holds (it expired, or the worker restarted) says so.
        turn.proposal?.state === 'open' && !session.proposals.has(turn.proposal.id, at)
          ? { ...turn, proposal: { ...turn.proposal, state: 'expired' as const } }
          : turn,
      );
      const streaming = session.chat.streaming;
      return { turns, ...(streaming !== undefined && { streaming }) };
    },
  }),
  'assistant.clearThread': action({
    input: z.object({}).strict(),
    title: 'Delete your conversation with your agent',
    effect: 'change',
    async run(_, { session }) {
      await session.chat.clear();
      return { cleared: true };
    },
  }),
  'assistant.confirm': action({
    input: z.object({ proposalId: z.string().min(1).max(64) }).strict(),
    title: 'Do what your agent proposed',
    effect: 'change',
    async run({ proposalId }, { session, dispatch, now }) {
      const actions: readonly ProposedAction[] | undefined = session.proposals.take(proposalId, now());
      if (!actions) {
        if (
          !(await session.chat.recent()).some(
            (t) => t.proposal?.id === proposalId && t.proposal.state !== 'open',
          )
        ) {
          await session.chat.settle(proposalId, 'expired');
        }
        throw new ParleyError('bad_request', 'That proposal expired or was already done. Ask again.');
      }
      // [PRP3] Each action goes through the registry: validated again, and its own errors reported.
      try {
        for (const a of actions) await dispatch(a.action, a.input);
      } catch (error) {
        await session.chat.settle(proposalId, 'failed');
        throw error;
      }
      await session.chat.settle(proposalId, 'done');
      return { done: actions.length };
    },
  }),
  'assistant.status': action({
    input: z.object({}).strict(),
    title: 'Show how your agent understands what you type',
    effect: 'read',
    async run(_, { session, modelKey }) {
      const { provider, baseUrl, model } = session.currentSettings.assistant;
      return { provider, baseUrl, model, hasKey: (await modelKey.load()) !== undefined };
    },
  }),
  /** The key is written, never read back: the UI only learns whether one is set. */
  'assistant.setKey': action({
    input: z.object({ apiKey: z.string().trim().max(500) }).strict(),
    title: 'Save the API key of your model endpoint (empty to forget it)',
    effect: 'change',
    async run({ apiKey }, { modelKey }) {
      if (apiKey) await modelKey.save(apiKey);
      else await modelKey.clear();
      return { hasKey: apiKey.length > 0 };
    },
  }),
  /** [AST10] What left the device for a cloud model: when, to which model, the exact redacted words. */
  'assistant.requests': action({
    input: z.object({}).strict(),
    title: 'Show what the cloud model received',
    effect: 'read',
    run: async (_, { session }) => (await session.modelRequests?.list()) ?? [],
  }),
  'assistant.dismiss': action({
    input: z.object({ proposalId: z.string().min(1).max(64) }).strict(),
    title: 'Drop what your agent proposed',
    effect: 'read',
    async run({ proposalId }, { session, now }) {
      const dismissed = session.proposals.take(proposalId, now()) !== undefined;
      if (dismissed) await session.chat.settle(proposalId, 'dismissed');
      return { dismissed };
    },
  }),
};
