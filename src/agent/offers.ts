import { offerInvitation, offerMailto, type CalendarService } from '../calendar';
import { ParleyError } from '../errors';
import { availabilityFromCache, epochToWall, findSlots, zoneTable, type Preferences } from '../scheduling';
import type { OfferRecord, OfferStore } from '../store';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Local hours of each part of the day, as the command parser reads "mornings" (src/assistant/plan.ts). */
const PART_HOURS = { morning: [8, 12], afternoon: [12, 17], evening: [17, 21] } as const;
export type PartOfDay = keyof typeof PART_HOURS;

type Slot = { start: number; end: number };

export interface OfferBookDeps {
  store: OfferStore;
  calendar: Pick<CalendarService, 'busy' | 'book'>;
  preferences(): Promise<Preferences>;
  now(): number;
  changed(): void;
}

/** [NOP2] What the person sees of a meeting offered to someone without Parley. */
export type OfferView = OfferRecord & { timeZone: string };

/**
 * "Find a time with someone who doesn't use Parley" (docs/protocol/people-without-parley.md): the agent
 * picks a few free times from the person's own calendar with the scheduler (NOP1), keeps the offer as a
 * pending meeting (NOP2), gives it out as an .ics file (NOP3) or an e-mail draft (NOP4), and books the time
 * the other person chose when the person marks the answer (NOP5). Nothing is sent by Parley itself.
 *
 *   offer ──▶ pending ──chosen──▶ booked (in the person's calendar)
 *                    └─declined─▶ declined
 */
export class OfferBook {
  constructor(private readonly deps: OfferBookDeps) {}

  async list(): Promise<OfferView[]> {
    const { timeZone } = await this.deps.preferences();
    return (await this.deps.store.list())
      .sort((a, b) => b.updated - a.updated)
      .map((o) => ({ ...o, timeZone }));
  }

  /**
   * [NOP1] Up to `count` free times inside the person's meeting hours (working hours, buffers, notice, limits:
   * the scheduler's availability), best-ranked first but spread over different days, never overlapping a time
   * already offered to someone else and still pending.
   */
  async offer(input: {
    with: { name: string; email?: string };
    title: string;
    durationMin: number;
    /** An exact window (epoch ms), or the next N days from now. */
    window?: Slot;
    withinDays?: number;
    partOfDay?: PartOfDay;
    count: number;
  }): Promise<OfferView> {
    const preferences = await this.deps.preferences();
    const now = this.deps.now();
    const window = input.window
      ? { start: Math.max(now, input.window.start), end: input.window.end }
      : { start: now, end: now + (input.withinDays ?? 7) * DAY };
    if (window.end - window.start < input.durationMin * MINUTE) {
      throw new ParleyError('bad_request', 'That window is already over; choose a later one.');
    }
    const availability = await availabilityFromCache(
      { snapshot: (range) => this.deps.calendar.busy(range) },
      { participantId: 'me', preferences, window, now },
    );
    const offers = await this.deps.store.list();
    const held = offers.filter((o) => o.status === 'pending').flatMap((o) => o.slots);
    const ranked = findSlots([availability], {
      durationMin: input.durationMin,
      granularityMin: 30,
      limit: 200,
    })
      .map(({ start, end }) => ({ start, end }))
      .filter((s) => !held.some((h) => h.start < s.end && s.start < h.end))
      .filter((s) => !input.partOfDay || inPart(s, input.partOfDay, preferences.timeZone));
    const slots = spread(ranked, input.count, preferences.timeZone);
    if (slots.length === 0) {
      throw new ParleyError(
        'bad_request',
        `No free ${input.durationMin} minutes in your meeting hours${input.partOfDay ? ` in the ${input.partOfDay}` : ''} in that window; choose more days or another part of the day.`,
      );
    }
    const record: OfferRecord = {
      id: crypto.randomUUID(),
      title: input.title,
      with: { name: input.with.name, ...(input.with.email ? { email: input.with.email } : {}) },
      durationMin: input.durationMin,
      slots,
      status: 'pending',
      createdAt: now,
      updated: now,
    };
    await this.deps.store.save([record, ...offers]);
    this.deps.changed();
    return { ...record, timeZone: preferences.timeZone };
  }

  /**
   * [NOP5] The person marks the other person's answer: a chosen time (one of those offered) is booked in the
   * person's calendar through the same write path as a negotiated meeting (CAL4: Google, or kept here and
   * given as an .ics); a decline is recorded. Only a pending offer is answered, once.
   */
  async answer(id: string, answer: { kind: 'chosen'; start: number; end: number } | { kind: 'declined' }) {
    const offers = await this.deps.store.list();
    const offer = offers.find((o) => o.id === id);
    if (!offer)
      throw new ParleyError('bad_request', 'There is no such offered meeting; open Meetings again.');
    if (offer.status !== 'pending') {
      throw new ParleyError(
        'bad_request',
        `This meeting is already ${offer.status}; offer new times to change it.`,
      );
    }
    let updated: OfferRecord;
    if (answer.kind === 'declined') {
      updated = { ...offer, status: 'declined', updated: this.deps.now() };
    } else {
      const chosen = offer.slots.find((s) => s.start === answer.start && s.end === answer.end);
      if (!chosen) {
        throw new ParleyError(
          'bad_request',
          'Choose one of the times you offered; for another time, offer new times.',
        );
      }
      const preferences = await this.deps.preferences();
      // The offer id takes a negotiation id's place: the event id derives from it (WRT1), so a retry is one event.
      await this.deps.calendar.book({
        negotiationId: offer.id,
        title: `${offer.title} (with ${offer.with.name})`,
        start: chosen.start,
        end: chosen.end,
        timeZone: preferences.timeZone,
      });
      updated = { ...offer, status: 'booked', chosen, updated: this.deps.now() };
    }
    await this.deps.store.save(offers.map((o) => (o.id === id ? updated : o)));
    this.deps.changed();
    return { ...updated, timeZone: (await this.deps.preferences()).timeZone };
  }

  /** [NOP3] The offered times as an .ics file to attach or send. */
  async invitation(id: string): Promise<{ filename: string; text: string }> {
    const offer = await this.#get(id);
    return {
      filename: `${fileName(offer.title)}-proposed-times.ics`,
      text: offerInvitation({
        offerId: offer.id,
        title: offer.title,
        slots: offer.slots,
        createdAt: offer.createdAt,
      }),
    };
  }

  /** [NOP4] The offered times as an e-mail draft in the person's locale and zone. */
  async mail(id: string, locale: string): Promise<{ href: string }> {
    const offer = await this.#get(id);
    const { timeZone } = await this.deps.preferences();
    const { href } = offerMailto({
      ...(offer.with.email ? { to: offer.with.email } : {}),
      name: offer.with.name,
      title: offer.title,
      durationMin: offer.durationMin,
      slots: offer.slots,
      locale: safeLocale(locale),
      timeZone,
    });
    return { href };
  }

  async #get(id: string): Promise<OfferRecord> {
    const offer = (await this.deps.store.list()).find((o) => o.id === id);
    if (!offer)
      throw new ParleyError('bad_request', 'There is no such offered meeting; open Meetings again.');
    return offer;
  }
}

/** Hours since local midnight at `ms` in `timeZone`, by the scheduler's DST-correct zone table (AVL3). */
function localHour(ms: number, timeZone: string): number {
  const table = zoneTable(timeZone, ms - DAY, ms + DAY);
  const sinceMidnight = (((epochToWall(table, ms) % DAY) + DAY) % DAY) / MINUTE;
  return sinceMidnight / 60;
}

function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(ms));
}

function inPart(slot: Slot, part: PartOfDay, timeZone: string): boolean {
  const [from, to] = PART_HOURS[part];
  const start = localHour(slot.start, timeZone);
  return start >= from && start + (slot.end - slot.start) / 3_600_000 <= to;
}

/** The best-ranked slots, one per day first (a choice of days is a real choice), then the next best; by time. */
function spread(ranked: readonly Slot[], count: number, timeZone: string): Slot[] {
  const chosen: Slot[] = [];
  const days = new Set<string>();
  for (const s of ranked) {
    if (chosen.length === count) break;
    const day = localDate(s.start, timeZone);
    if (days.has(day)) continue;
    days.add(day);
    chosen.push(s);
  }
  for (const s of ranked) {
    if (chosen.length === count) break;
    if (!chosen.includes(s) && !chosen.some((c) => c.start < s.end && s.start < c.end)) chosen.push(s);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

function fileName(title: string): string {
  return (
    title
      .replace(/[^\p{L}\p{N} _-]+/gu, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'meeting'
  );
}

function safeLocale(locale: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale])[0] ?? 'en';
  } catch {
    // A malformed language tag from the page: the draft is written in English instead.
    return 'en';
  }
}
