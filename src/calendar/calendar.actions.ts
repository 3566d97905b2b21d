import { z } from 'zod';
import { NegotiationIdInput, NoInput, actionsFor } from '../rpc';
import { ICS_LIMITS } from './ics';
import type { CalendarService } from './service';

export interface CalendarActionContext {
  calendar: CalendarService;
}

const action = actionsFor<CalendarActionContext>();

/** The person's calendars: connect, choose, sync (docs/protocol/agent.md ACT1). */
export const calendarActions = {
  'calendar.overview': action({
    input: NoInput,
    title: 'Show your calendars and when they last synced',
    effect: 'read',
    run: (_, { calendar }) => calendar.overview(),
  }),
  'calendar.connect': action({
    input: NoInput,
    title: 'Connect Google Calendar',
    effect: 'change',
    run: (_, { calendar }) => calendar.connect(),
  }),
  'calendar.disconnect': action({
    input: NoInput,
    title: 'Disconnect Google Calendar',
    effect: 'danger',
    run: (_, { calendar }) => calendar.disconnect(),
  }),
  'calendar.sync': action({
    input: NoInput,
    title: 'Sync your calendars now',
    effect: 'change',
    async run(_, { calendar }) {
      await calendar.sync();
      return calendar.overview();
    },
  }),
  'calendar.agenda': action({
    input: z
      .object({ start: z.number().int().nonnegative(), end: z.number().int().positive() })
      .strict()
      .refine((r) => r.end > r.start && r.end - r.start <= 62 * 86_400_000, {
        message: 'a range ends after it starts and spans at most 62 days',
      }),
    title: 'Show your calendar for a period',
    effect: 'read',
    run: (range, { calendar }) => calendar.agenda(range),
  }),
  'calendar.importIcs': action({
    input: z
      .object({
        name: z.string().max(300),
        // [ICS1] The cap in characters; the reader checks it again in UTF-8 bytes.
        text: z.string().min(1).max(ICS_LIMITS.maxBytes),
        calendarId: z.string().min(1).max(1024).optional(),
      })
      .strict(),
    title: 'Import a calendar file (.ics)',
    effect: 'change',
    run: (input, { calendar }) => calendar.importIcs(input),
  }),
  'calendar.subscribeIcs': action({
    input: z.object({ url: z.string().min(1).max(2048), name: z.string().max(200).optional() }).strict(),
    title: 'Subscribe to a calendar’s secret iCal address',
    effect: 'change',
    run: (input, { calendar }) => calendar.subscribeIcs(input),
  }),
  'calendar.remove': action({
    input: z.object({ calendarId: z.string().min(1).max(1024) }).strict(),
    title: 'Remove an imported or subscribed calendar',
    effect: 'danger',
    run: ({ calendarId }, { calendar }) => calendar.removeCalendar(calendarId),
  }),
  'calendar.invitation': action({
    input: z.object({ negotiationId: NegotiationIdInput }).strict(),
    title: 'Get a booked meeting as a calendar file (.ics)',
    effect: 'read',
    run: ({ negotiationId }, { calendar }) => calendar.invitation(negotiationId),
  }),
  'calendar.select': action({
    input: z.object({ calendarId: z.string().min(1).max(1024), selected: z.boolean() }).strict(),
    title: 'Choose which calendars count as busy',
    effect: 'change',
    run: ({ calendarId, selected }, { calendar }) => calendar.select(calendarId, selected),
  }),
};
