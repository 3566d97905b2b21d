import { z } from 'zod';

/**
 * Zod schemas for the parts of Calendar v3 we read. Objects are loose (Google adds fields over time;
 * unknown ones pass through untouched) but every field we rely on is checked, so a surprising answer
 * becomes a `bad_response` error instead of a crash deep in the sync.
 */
export const eventDateTimeSchema = z.looseObject({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  dateTime: z.string().optional(),
  timeZone: z.string().optional(),
});
export type EventDateTime = z.infer<typeof eventDateTimeSchema>;

const attendeeSchema = z.looseObject({
  email: z.string().optional(),
  displayName: z.string().optional(),
  responseStatus: z.string().optional(),
  self: z.boolean().optional(),
  organizer: z.boolean().optional(),
  optional: z.boolean().optional(),
});

export const eventSchema = z.looseObject({
  kind: z.literal('calendar#event').optional(),
  id: z.string().min(1),
  etag: z.string().optional(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']).optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  created: z.string().optional(),
  updated: z.string().optional(),
  start: eventDateTimeSchema.optional(),
  end: eventDateTimeSchema.optional(),
  recurrence: z.array(z.string()).optional(),
  recurringEventId: z.string().optional(),
  originalStartTime: eventDateTimeSchema.optional(),
  transparency: z.enum(['opaque', 'transparent']).optional(),
  attendees: z.array(attendeeSchema).optional(),
  organizer: z.looseObject({ email: z.string().optional(), self: z.boolean().optional() }).optional(),
  hangoutLink: z.string().optional(),
  conferenceData: z.looseObject({}).optional(),
  extendedProperties: z
    .looseObject({
      private: z.record(z.string(), z.string()).optional(),
      shared: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  iCalUID: z.string().optional(),
  sequence: z.number().int().optional(),
});
export type GEvent = z.infer<typeof eventSchema>;

export const eventsPageSchema = z.looseObject({
  kind: z.literal('calendar#events'),
  etag: z.string().optional(),
  summary: z.string().optional(),
  updated: z.string().optional(),
  timeZone: z.string().optional(),
  accessRole: z.string().optional(),
  nextPageToken: z.string().optional(),
  nextSyncToken: z.string().optional(),
  items: z.array(eventSchema).default([]),
});
export type EventsPage = z.infer<typeof eventsPageSchema>;

export const calendarListEntrySchema = z.looseObject({
  id: z.string().min(1),
  summary: z.string().optional(),
  summaryOverride: z.string().optional(),
  timeZone: z.string().optional(),
  accessRole: z.enum(['owner', 'writer', 'reader', 'freeBusyReader']),
  primary: z.boolean().optional(),
  selected: z.boolean().optional(),
  deleted: z.boolean().optional(),
  hidden: z.boolean().optional(),
  backgroundColor: z.string().optional(),
});
export type CalendarListEntry = z.infer<typeof calendarListEntrySchema>;

export const calendarListSchema = z.looseObject({
  kind: z.literal('calendar#calendarList'),
  nextPageToken: z.string().optional(),
  nextSyncToken: z.string().optional(),
  items: z.array(calendarListEntrySchema).default([]),
});

const errorItemSchema = z.looseObject({ domain: z.string().optional(), reason: z.string().optional() });

export const freeBusyResponseSchema = z.looseObject({
  kind: z.literal('calendar#freeBusy').optional(),
  timeMin: z.string(),
  timeMax: z.string(),
  calendars: z.record(
    z.string(),
    z.looseObject({
      busy: z.array(z.looseObject({ start: z.string(), end: z.string() })).default([]),
      errors: z.array(errorItemSchema).optional(),
    }),
  ),
});
export type FreeBusyResponse = z.infer<typeof freeBusyResponseSchema>;

export const googleErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.number().int(),
    message: z.string().optional(),
    errors: z
      .array(
        z.looseObject({
          domain: z.string().optional(),
          reason: z.string().optional(),
          message: z.string().optional(),
        }),
      )
      .optional(),
  }),
});
export type GoogleErrorBody = z.infer<typeof googleErrorBodySchema>;
