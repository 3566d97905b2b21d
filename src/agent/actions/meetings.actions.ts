import { z } from 'zod';
import { NoInput, actionsFor } from '../../rpc';
import type { OfferBook } from '../offers';

const action = actionsFor<{ offers: OfferBook }>();
const DAY = 86_400_000;

const OfferIdInput = z.string().uuid('not an offered meeting');
const SlotInput = z
  .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
  .strict()
  .refine((x) => x.end > x.start, { message: 'a time ends after it starts' });

/** Meetings with people who do not use Parley (docs/protocol/people-without-parley.md NOP1–NOP5). */
export const meetingActions = {
  'meetings.offerTimes': action({
    input: z
      .object({
        with: z
          .object({
            name: z.string().trim().min(1, 'write their name').max(100),
            email: z.email('write an e-mail address like ana@example.com').max(254).optional(),
          })
          .strict(),
        title: z.string().trim().max(200).optional(),
        durationMin: z.number().int().min(5).max(480),
        withinDays: z.number().int().min(1).max(60).optional(),
        window: z
          .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
          .strict()
          .refine((w) => w.end > w.start && w.end - w.start <= 60 * DAY, {
            message: 'a window ends after it starts and spans at most 60 days',
          })
          .optional(),
        partOfDay: z.enum(['morning', 'afternoon', 'evening']).optional(),
        count: z.number().int().min(1).max(5).optional(),
      })
      .strict()
      .refine((i) => !(i.withinDays !== undefined && i.window !== undefined), {
        message: 'give either withinDays or a window',
        path: ['withinDays'],
      }),
    title: "Find a time with someone who doesn't use Parley",
    effect: 'change',
    run: (input, { offers }) =>
      offers.offer({
        with: input.with,
        title: input.title || 'Meeting',
        durationMin: input.durationMin,
        ...(input.window ? { window: input.window } : { withinDays: input.withinDays ?? 7 }),
        ...(input.partOfDay ? { partOfDay: input.partOfDay } : {}),
        count: input.count ?? 3,
      }),
  }),
  'meetings.offers': action({
    input: NoInput,
    title: "Show the times you offered to people who don't use Parley",
    effect: 'read',
    run: (_, { offers }) => offers.list(),
  }),
  'meetings.markAnswer': action({
    input: z
      .object({
        id: OfferIdInput,
        answer: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('chosen'), slot: SlotInput }).strict(),
          z.object({ kind: z.literal('declined') }).strict(),
        ]),
      })
      .strict(),
    title: 'Mark which time they chose (or that they declined)',
    effect: 'change',
    run: ({ id, answer }, { offers }) =>
      offers.answer(id, answer.kind === 'chosen' ? { kind: 'chosen', ...answer.slot } : answer),
  }),
  'meetings.offerInvitation': action({
    input: z.object({ id: OfferIdInput }).strict(),
    title: 'Get the offered times as a calendar file (.ics)',
    effect: 'read',
    run: ({ id }, { offers }) => offers.invitation(id),
  }),
  'meetings.offerMail': action({
    input: z.object({ id: OfferIdInput, locale: z.string().min(2).max(35) }).strict(),
    title: 'Write the offered times in an e-mail',
    effect: 'read',
    run: ({ id, locale }, { offers }) => offers.mail(id, locale),
  }),
};
