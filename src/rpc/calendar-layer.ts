import { z } from 'zod';

/**
 * The narrow contract between the Google Calendar layer (a content script on calendar.google.com) and
 * the background (docs/protocol/interface.md GCL1–7). It is not the RPC: a page on the web is no place
 * for the agent's full API. The layer gets only what it displays — times, the titles Parley itself
 * set, the ids of what waits for approval and their exact action text — and may ask for three things:
 * the current picture, a decision on one approval it was shown, and the side panel with the command
 * box filled. Both ends parse every message with these schemas.
 */
export const CALENDAR_LAYER_PORT = 'parley/calendar-layer';
export const CALENDAR_LAYER_MESSAGE = 'parley/calendar-layer';

const Slot = z.object({ start: z.number().int(), end: z.number().int() }).strict();
const Text = z.string().max(400);

/** What the layer shows; nothing else of the agent crosses. */
export const LayerSnapshot = z
  .object({
    /** `locked`: the agent cannot tell (the layer says so and shows nothing else). */
    state: z.enum(['ready', 'locked']),
    /** Google event ids of the meetings Parley booked (calendar rule WRT1), with when and the title Parley set. */
    booked: z.array(z.object({ eventId: z.string().max(64), title: Text, slot: Slot }).strict()).max(200),
    /** Meetings still being arranged, with a few words on where they are. */
    pending: z
      .array(z.object({ negotiationId: z.string().max(64), title: Text, status: Text }).strict())
      .max(50),
    /** What waits for the person: the exact action, and the hash that names it. */
    approvals: z
      .array(
        z
          .object({
            negotiationId: z.string().max(64),
            actionHash: z.string().max(128),
            text: Text,
            slots: z.array(Slot).max(20),
          })
          .strict(),
      )
      .max(50),
  })
  .strict();
export type LayerSnapshot = z.infer<typeof LayerSnapshot>;

/** Layer → background over the port. */
export const LayerRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello') }).strict(),
  z
    .object({
      type: z.literal('decide'),
      negotiationId: z.string().min(1).max(64),
      actionHash: z.string().min(1).max(128),
      approved: z.boolean(),
    })
    .strict(),
]);
export type LayerRequest = z.infer<typeof LayerRequest>;

/** Background → layer over the port. */
export const LayerPush = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), snapshot: LayerSnapshot }).strict(),
  z
    .object({
      type: z.literal('decided'),
      negotiationId: z.string().max(64),
      ok: z.boolean(),
      /** When not ok: what happened and what to do, in words. */
      message: Text.optional(),
    })
    .strict(),
]);
export type LayerPush = z.infer<typeof LayerPush>;

/**
 * "Find a time with…" travels as a one-off message (not over the port), so the browser still counts
 * it as the person's click when the background opens the side panel.
 */
export const FindTimeMessage = z
  .object({ kind: z.literal(CALENDAR_LAYER_MESSAGE), type: z.literal('findTime') })
  .strict();
export const FIND_TIME_TEXT = 'Find a time with ';
