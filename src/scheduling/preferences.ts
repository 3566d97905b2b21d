import { z } from 'zod';
import { SchedulingError } from './errors';
import { assertTimeZone } from './zone';

/** "HH:MM" local wall-clock time; "24:00" ends a range at midnight. */
const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use "HH:MM", 00:00–24:00');

export function clockMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export const timeRangeSchema = z
  .strictObject({ start: clockTime, end: clockTime })
  .refine((r) => clockMinutes(r.start) < clockMinutes(r.end), 'a range must end after it starts');
export type TimeRange = z.infer<typeof timeRangeSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof weekdaySchema>;

const ranges = z.array(timeRangeSchema).max(8).default([]);
export const weeklyHoursSchema = z.strictObject({
  mon: ranges,
  tue: ranges,
  wed: ranges,
  thu: ranges,
  fri: ranges,
  sat: ranges,
  sun: ranges,
});
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>;

const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'use "YYYY-MM-DD"');
const label = z.string().max(60);

export const protectedBlockSchema = z.strictObject({
  label: label.default(''),
  kind: z.enum(['lunch', 'focus', 'other']),
  days: z.array(weekdaySchema).min(1).max(7),
  range: timeRangeSchema,
});
export type ProtectedBlock = z.infer<typeof protectedBlockSchema>;

export const preferredTimeSchema = z.strictObject({
  days: z.array(weekdaySchema).min(1).max(7),
  range: timeRangeSchema,
  /** 1 = nice, 3 = strongly preferred. */
  weight: z.number().int().min(1).max(3).default(2),
});
export type PreferredTime = z.infer<typeof preferredTimeSchema>;

export const GRANULARITIES_MIN = [15, 30, 60] as const;

/** What may be told to a peer without asking the person (DIS rules). */
export const disclosurePolicySchema = z.strictObject({
  /** false: every disclosure waits for the person's approval. */
  auto: z.boolean().default(false),
  /** The most distinct slots one negotiation may ever disclose to this contact, reschedules included (DIS5). */
  maxSlots: z.number().int().min(1).max(20).default(3),
  /**
   * The most distinct slots this contact may learn in any 7 days, across all negotiations, without the
   * person's approval (DIS6). Absent: DEFAULT_MAX_SLOTS_PER_WEEK (10); optional so that policies stored in
   * negotiation states before it existed still read the same.
   */
  maxSlotsPerWeek: z.number().int().min(1).max(100).optional(),
  granularityMin: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(30),
  /**
   * ASK1: how often the person is asked per meeting. `once`: one decision — choosing the times to offer
   * also accepts whichever of them the organizer picks, and later rounds answer within `maxSlots` per round
   * without asking again. `each` (and absent, in states stored before it existed): every disclosure beyond
   * the rule and every acceptance is asked.
   */
  decision: z.enum(['once', 'each']).optional(),
  /**
   * ASK2: accept a proposed time from this contact without asking when it is one the agent offered inside
   * the person's meeting hours (only for contacts the person verified, which the product checks).
   */
  autoAccept: z.boolean().optional(),
});
export type DisclosurePolicy = z.infer<typeof disclosurePolicySchema>;

export const contactRuleSchema = z.strictObject({
  contactId: z.string().min(1).max(128),
  disclosure: disclosurePolicySchema,
});
export type ContactRule = z.infer<typeof contactRuleSchema>;

export const preferencesSchema = z.strictObject({
  timeZone: z.string().min(1).max(64),
  workingHours: weeklyHoursSchema,
  /** Where meetings may go; inside working hours. Absent: all of working hours. */
  meetingHours: weeklyHoursSchema.optional(),
  bufferBeforeMin: z.number().int().min(0).max(240).default(0),
  bufferAfterMin: z.number().int().min(0).max(240).default(0),
  minimumNoticeMin: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 60)
    .default(0),
  /** null: no limit. Counts timed busy events starting that local day. */
  maxMeetingsPerDay: z.number().int().min(0).max(50).nullable().default(null),
  noMeetingDays: z.array(weekdaySchema).max(7).default([]),
  noMeetingDates: z.array(isoDate).max(366).default([]),
  protectedBlocks: z.array(protectedBlockSchema).max(20).default([]),
  preferredTimes: z.array(preferredTimeSchema).max(20).default([]),
  defaultDurationsMin: z.array(z.number().int().min(5).max(480)).min(1).max(8).default([30, 60]),
  /** A free gap shorter than this left next to a meeting counts as fragmented focus time. */
  minFocusBlockMin: z.number().int().min(0).max(480).default(60),
  tentativeIsBusy: z.boolean().default(true),
  disclosure: disclosurePolicySchema.default({ auto: false, maxSlots: 3, granularityMin: 30 }),
  contactRules: z.array(contactRuleSchema).max(500).default([]),
});
export type Preferences = z.infer<typeof preferencesSchema>;
export type PreferencesInput = z.input<typeof preferencesSchema>;

/** Validates and fills defaults; throws a SchedulingError that lists what to fix. */
export function parsePreferences(input: unknown): Preferences {
  const result = preferencesSchema.safeParse(input);
  if (!result.success) {
    const where = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new SchedulingError('invalid_preferences', `Preferences are invalid: ${where}.`);
  }
  assertTimeZone(result.data.timeZone);
  return result.data;
}

/** The disclosure policy for one contact: their rule if the person made one, else the default. */
export function disclosurePolicyFor(prefs: Preferences, contactId: string): DisclosurePolicy {
  return prefs.contactRules.find((r) => r.contactId === contactId)?.disclosure ?? prefs.disclosure;
}
