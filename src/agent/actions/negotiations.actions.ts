import { z } from 'zod';
import { ParleyError } from '../../errors';
import { AgentIdInput, NegotiationIdInput, NoInput, actionsFor } from '../../rpc';
import { disclosurePolicyFor } from '../../scheduling';
import type { AgentSession } from '../session';

const action = actionsFor<AgentSession>();

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM');
const Days = z.number().int().min(1).max(60);

/** Finding times with other people's agents, and the person's scheduling preferences (ACT1). */
export const negotiationActions = {
  'negotiations.list': action({
    input: NoInput,
    title: 'Show your meetings and what waits for you',
    effect: 'read',
    run: (_, { negotiator }) => negotiator.list(),
  }),
  'negotiations.start': action({
    input: z
      .object({
        contactIds: z.array(AgentIdInput).min(1).max(19),
        durationMin: z.number().int().min(5).max(480),
        title: z.string().trim().min(1).max(200),
        /** The next N days from now… */
        withinDays: Days.optional(),
        /** …or an exact window in epoch ms (what a plain-language command such as "tomorrow morning" asks for). */
        window: z
          .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
          .strict()
          .refine((w) => w.end > w.start && w.end - w.start <= 60 * 86_400_000, {
            message: 'a window ends after it starts and spans at most 60 days',
          })
          .optional(),
      })
      .strict()
      .refine((i) => (i.withinDays === undefined) !== (i.window === undefined), {
        message: 'give either withinDays or a window',
        path: ['withinDays'],
      }),
    title: 'Find a time with…',
    effect: 'change',
    async run(input, { peers, negotiator }) {
      const contacts = await peers.listContacts();
      const unknown = input.contactIds.filter(
        (id) => !contacts.some((c) => c.agentId === id && c.status === 'paired'),
      );
      if (unknown.length) {
        throw new ParleyError('contact_unknown', 'Choose people who are paired contacts (and not blocked).');
      }
      return negotiator.start(input);
    },
  }),
  'negotiations.decide': action({
    input: z
      .object({
        negotiationId: NegotiationIdInput,
        actionHash: z.string().min(1).max(128),
        approved: z.boolean(),
      })
      .strict(),
    title: 'Approve or decline what your agent asks',
    effect: 'change',
    run: ({ negotiationId, actionHash, approved }, { negotiator }) =>
      negotiator.decide(negotiationId, actionHash, approved),
  }),
  'negotiations.counter': action({
    input: z
      .object({
        negotiationId: NegotiationIdInput,
        slots: z
          .array(
            z
              .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
              .strict()
              .refine((x) => x.end > x.start, { message: 'a time ends after it starts' }),
          )
          .min(1)
          .max(5),
        note: z.string().max(1_000).optional(),
      })
      .strict(),
    title: 'Answer with other times (and a note)',
    effect: 'change',
    run: ({ negotiationId, slots, note }, { negotiator }) => negotiator.counter(negotiationId, slots, note),
  }),
  'negotiations.setContactRule': action({
    input: z
      .object({
        contactId: AgentIdInput,
        shareWithoutAsking: z.boolean(),
        acceptWithoutAsking: z.boolean(),
      })
      .strict(),
    title: 'Choose what your agent may do for one contact without asking',
    effect: 'change',
    async run(input, { peers, negotiator }) {
      const contacts = await peers.listContacts();
      if (!contacts.some((c) => c.agentId === input.contactId)) {
        throw new ParleyError('contact_unknown', 'Choose one of your contacts.');
      }
      return negotiator.setContactRule(input);
    },
  }),
  'negotiations.contactRule': action({
    input: z.object({ contactId: AgentIdInput }).strict(),
    title: 'Show what your agent may do for one contact without asking',
    effect: 'read',
    async run({ contactId }, { peers, negotiator }) {
      const contact = (await peers.listContacts()).find((c) => c.agentId === contactId);
      if (!contact) throw new ParleyError('contact_unknown', 'Choose one of your contacts.');
      // CRL2: what the contact's controls show; the agent honours "accept" only for a verified contact (ASK2).
      const policy = disclosurePolicyFor(await negotiator.schedulingPreferences(), contactId);
      return {
        contactId,
        shareWithoutAsking: policy.auto,
        acceptWithoutAsking: policy.autoAccept ?? false,
        verified: contact.verified,
      };
    },
  }),
  'negotiations.cancel': action({
    input: z.object({ negotiationId: NegotiationIdInput }).strict(),
    title: 'Cancel a meeting (every calendar loses it)',
    effect: 'danger',
    run: ({ negotiationId }, { negotiator }) => negotiator.cancel(negotiationId),
  }),
  'negotiations.reschedule': action({
    input: z.object({ negotiationId: NegotiationIdInput, withinDays: Days }).strict(),
    title: 'Move a meeting you organised to another time',
    effect: 'change',
    run: ({ negotiationId, withinDays }, { negotiator }) => negotiator.reschedule(negotiationId, withinDays),
  }),
  'preferences.get': action({
    input: NoInput,
    title: 'Show your working hours and meeting preferences',
    effect: 'read',
    run: (_, { negotiator }) => negotiator.meetingPreferences(),
  }),
  'preferences.set': action({
    input: z
      .object({
        timeZone: z.string().min(1).max(64),
        dayStart: HhMm,
        dayEnd: z.union([HhMm, z.literal('24:00')], { error: 'use HH:MM' }),
        workingDays: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).max(7),
        bufferMin: z.number().int().min(0).max(240),
        minimumNoticeMin: z
          .number()
          .int()
          .min(0)
          .max(60 * 24 * 14),
        maxMeetingsPerDay: z.number().int().min(0).max(50).nullable(),
        autoDisclose: z.boolean(),
      })
      .strict(),
    title: 'Change your working hours and meeting preferences',
    effect: 'change',
    run: (form, { negotiator }) => negotiator.setMeetingPreferences(form),
  }),
};
