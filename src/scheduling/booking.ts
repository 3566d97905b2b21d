import type { Interval } from './interval';
import { base32hex, blake2b } from './hash';

/**
 * BKG rules. The organizer's agent creates the event with an id derived from the negotiation id, so
 * a retry (or a second device) can never create a second event: Google refuses a duplicate id with
 * 409 and we treat that as success. Google sets iCalUID = `${id}@google.com` for events inserted with
 * a client-chosen id (seen in real events.list payloads, e.g. tests' compass-sync fixtures), so an
 * invitee's agent derives the same iCalUID from the negotiation id and looks for the invitation
 * instead of creating its own copy.
 */
export function eventIdFor(negotiationId: string): string {
  // 20 bytes → 32 base32hex characters: inside Google's 5–1024 and a-v0-9 rules.
  return base32hex(blake2b('event-id', negotiationId, 20));
}

export function iCalUIDFor(negotiationId: string): string {
  return `${eventIdFor(negotiationId)}@google.com`;
}

export interface BookingPlan {
  readonly negotiationId: string;
  readonly eventId: string;
  readonly iCalUID: string;
  readonly slot: Interval;
  readonly organizer: string;
  /** Agent ids; the runtime maps them to calendar addresses from the contact list. */
  readonly attendees: readonly string[];
  /** The organizer person's title, never a peer's text. */
  readonly title: string;
}

export function planBooking(input: {
  negotiationId: string;
  slot: Interval;
  organizer: string;
  attendees: readonly string[];
  title: string;
}): BookingPlan {
  return {
    ...input,
    attendees: [...new Set(input.attendees)].sort(),
    eventId: eventIdFor(input.negotiationId),
    iCalUID: iCalUIDFor(input.negotiationId),
  };
}

export interface CalendarEventRecord {
  readonly eventId: string;
  readonly iCalUID: string;
  readonly slot: Interval;
  readonly attendees: readonly string[];
  readonly title: string;
  readonly status: 'confirmed' | 'cancelled';
}

/** What scheduling needs from the calendar capability (owned elsewhere; see InMemoryCalendarWriter). */
export interface CalendarWriter {
  /** Insert with the plan's event id; an existing id is success (created: false), never a duplicate. */
  createEvent(plan: BookingPlan): Promise<{ created: boolean }>;
  /** Import a copy carrying the organizer's iCalUID, for when no invitation can arrive. */
  importEvent(plan: BookingPlan): Promise<{ created: boolean }>;
  moveEvent(eventId: string, slot: Interval): Promise<void>;
  cancelEvent(eventId: string): Promise<void>;
  findByICalUID(iCalUID: string): Promise<CalendarEventRecord | null>;
}

/**
 * Organizer: create (or move, on reschedule). Invitee: keep the organizer's invitation if it is
 * there, otherwise import a copy with the same iCalUID (BKG3).
 */
export async function applyBooking(
  writer: CalendarWriter,
  plan: BookingPlan,
  role: 'organizer' | 'invitee',
): Promise<'created' | 'moved' | 'already_there' | 'invitation_found' | 'imported'> {
  const existing = await writer.findByICalUID(plan.iCalUID);
  if (role === 'organizer') {
    if (existing && existing.status === 'confirmed') {
      if (existing.slot.start === plan.slot.start && existing.slot.end === plan.slot.end)
        return 'already_there';
      await writer.moveEvent(existing.eventId, plan.slot);
      return 'moved';
    }
    const { created } = await writer.createEvent(plan);
    return created ? 'created' : 'already_there';
  }
  if (existing && existing.status === 'confirmed') {
    if (existing.slot.start !== plan.slot.start || existing.slot.end !== plan.slot.end) {
      await writer.moveEvent(existing.eventId, plan.slot);
    }
    return 'invitation_found';
  }
  const { created } = await writer.importEvent(plan);
  return created ? 'imported' : 'invitation_found';
}

/** One person's calendar, in memory. `deliver` simulates Google delivering an invitation. */
export class InMemoryCalendarWriter implements CalendarWriter {
  private readonly events = new Map<string, CalendarEventRecord>();

  list(): CalendarEventRecord[] {
    return [...this.events.values()];
  }

  /** Google delivers an invitation, or the organizer's move of it to the copy already here. */
  deliver(plan: BookingPlan): void {
    const existing = [...this.events.values()].find((e) => e.iCalUID === plan.iCalUID);
    if (!existing) this.put(plan, plan.eventId);
    else this.events.set(existing.eventId, { ...existing, slot: plan.slot });
  }

  /** Google cancels the copy here because the organizer deleted the event. */
  withdraw(iCalUID: string): void {
    for (const e of this.events.values()) {
      if (e.iCalUID === iCalUID) this.events.set(e.eventId, { ...e, status: 'cancelled' });
    }
  }

  private put(plan: BookingPlan, eventId: string): void {
    this.events.set(eventId, {
      eventId,
      iCalUID: plan.iCalUID,
      slot: plan.slot,
      attendees: plan.attendees,
      title: plan.title,
      status: 'confirmed',
    });
  }

  async createEvent(plan: BookingPlan): Promise<{ created: boolean }> {
    if (this.events.has(plan.eventId)) return { created: false };
    this.put(plan, plan.eventId);
    return { created: true };
  }

  async importEvent(plan: BookingPlan): Promise<{ created: boolean }> {
    if ([...this.events.values()].some((e) => e.iCalUID === plan.iCalUID)) return { created: false };
    this.put(plan, `${plan.eventId}i`);
    return { created: true };
  }

  async moveEvent(eventId: string, slot: Interval): Promise<void> {
    const e = this.events.get(eventId);
    if (e) this.events.set(eventId, { ...e, slot });
  }

  async cancelEvent(eventId: string): Promise<void> {
    const e = this.events.get(eventId);
    if (e) this.events.set(eventId, { ...e, status: 'cancelled' });
  }

  async findByICalUID(iCalUID: string): Promise<CalendarEventRecord | null> {
    return [...this.events.values()].find((e) => e.iCalUID === iCalUID) ?? null;
  }
}
