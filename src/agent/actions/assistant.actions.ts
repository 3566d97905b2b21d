import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import {
  applyFollowUp,
  asRequest,
  mayFollowUp,
  planCommand,
  type Plan,
  type ProposedAction,
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
      const context = {
        now: local.toPlainDateTime().toString({ smallestUnit: 'second' }),
        timeZone,
        contacts: contacts.map((c) => c.name),
      };
      let understood = await session.assistant.understand(text, context);
      // [PRP6] "make it an hour", "what about Thursday?": the pending request, edited.
      const pending = session.proposals.latest(at);
      if (pending && mayFollowUp(understood.command, text)) {
        const followUp = await session.assistant.understand(asRequest(text), context);
        const edited = applyFollowUp(pending.command, followUp.command);
        if (edited) {
          session.proposals.take(pending.id, at); // replaced by the edited one
          understood = { ...followUp, command: edited };
        }
      }
      const plan: Plan = planCommand(understood.command, { contacts, meetings, timeZone, now: at });
      const base = {
        provider: understood.provider,
        ...(understood.note ? { note: understood.note } : {}),
        command: understood.command,
        reply: plan.reply,
      };
      if (plan.kind === 'agenda') {
        const agenda: AgendaView = { range: plan.range, items: await session.calendar.agenda(plan.range) };
        return { ...base, agenda };
      }
      if (plan.kind === 'reply') return base;
      const proposal = session.proposals.add(
        plan.actions,
        at + PROPOSAL_TTL_MS,
        understood.command.intent === 'schedule' ? understood.command : undefined,
      );
      return { ...base, proposal: { id: proposal, actions: plan.actions.map((a) => ({ label: a.label })) } };
    },
  }),
  'assistant.confirm': action({
    input: z.object({ proposalId: z.string().min(1).max(64) }).strict(),
    title: 'Do what your agent proposed',
    effect: 'change',
    async run({ proposalId }, { session, dispatch, now }) {
      const actions: readonly ProposedAction[] | undefined = session.proposals.take(proposalId, now());
      if (!actions) {
        throw new ParleyError('bad_request', 'That proposal expired or was already done. Ask again.');
      }
      // [PRP3] Each action goes through the registry: validated again, and its own errors reported.
      for (const a of actions) await dispatch(a.action, a.input);
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
    run: async ({ proposalId }, { session, now }) => ({
      dismissed: session.proposals.take(proposalId, now()) !== undefined,
    }),
  }),
};
