import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryCalendarWriter, applyBooking, eventIdFor, iCalUIDFor, planBooking } from './booking';
import { base32hex, prepareScheduling } from './hash';

beforeAll(prepareScheduling);
const slot = { start: Date.UTC(2024, 5, 3, 9), end: Date.UTC(2024, 5, 3, 9, 30) };

describe('booking plan', () => {
  it('[BKG1] event ids are deterministic base32hex (a–v, 0–9), 5–1024 long; iCalUID is id@google.com', () => {
    // RFC 4648 §10 test vector, base32hex, lowercased and unpadded.
    expect(base32hex(new TextEncoder().encode('foobar'))).toBe('cpnmuoj1e8');
    const id = eventIdFor('neg-00000001');
    expect(id).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(id).toHaveLength(32);
    expect(eventIdFor('neg-00000001')).toBe(id);
    expect(eventIdFor('neg-00000002')).not.toBe(id);
    expect(iCalUIDFor('neg-00000001')).toBe(`${id}@google.com`);
  });

  it('[BKG2][BKG3] a retried booking never duplicates; an invitee keeps the invitation or imports one copy', async () => {
    const plan = planBooking({
      negotiationId: 'neg-00000001',
      slot,
      organizer: 'a',
      attendees: ['a', 'b'],
      title: 'Sync',
    });
    const org = new InMemoryCalendarWriter();
    expect(await applyBooking(org, plan, 'organizer')).toBe('created');
    expect(await applyBooking(org, plan, 'organizer')).toBe('already_there');
    expect(org.list()).toHaveLength(1);
    const invited = new InMemoryCalendarWriter();
    invited.deliver(plan);
    expect(await applyBooking(invited, plan, 'invitee')).toBe('invitation_found');
    expect(invited.list()).toHaveLength(1);
    const external = new InMemoryCalendarWriter();
    expect(await applyBooking(external, plan, 'invitee')).toBe('imported');
    external.deliver(plan); // the invitation arrives late: still one event
    expect(await applyBooking(external, plan, 'invitee')).toBe('invitation_found');
    expect(external.list()).toHaveLength(1);
    const moved = { ...plan, slot: { start: slot.start + 3_600_000, end: slot.end + 3_600_000 } };
    expect(await applyBooking(org, moved, 'organizer')).toBe('moved');
    expect(org.list().map((e) => e.slot)).toEqual([moved.slot]);
  });
});
