import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarService } from '../calendar';
import { configureLog, type LogLine } from '../log';
import { eventIdFor, iCalUIDFor, parseMessage, prepareScheduling, type Message } from '../scheduling';
import { auditStore, negotiationStore, preferenceStore } from '../store';
import { Mutex, openVault } from '../vault';
import { Negotiator } from './negotiator';

beforeAll(prepareScheduling);

const T0 = Date.UTC(2024, 5, 3, 6); // Monday 06:00Z
const DAY = 86_400_000;
type Calendar = Pick<CalendarService, 'busy' | 'bookMeeting' | 'cancelBooking'>;

/** Two product negotiators on real vaults, their messages passed by hand (what the ratchet carries). */
async function agents(organizerCalendar: Partial<Calendar>, participantCalendar: Partial<Calendar> = {}) {
  const queue: { to: string; from: string; body: string }[] = [];
  const sent: { to: string; from: string; body: string }[] = [];
  const booked: string[] = [];
  const titles: string[] = [];
  const make = async (me: string, overrides: Partial<Calendar>) => {
    const vault = await openVault({
      name: `neg-${crypto.randomUUID()}`,
      kdf: { iterations: 1000, allowWeakIterationsForTests: true },
    });
    await vault.setUp('test passphrase');
    const mutex = new Mutex();
    const calendar: Calendar = {
      busy: async () => ({
        events: [],
        calendars: [{ calendarId: 'primary', known: [{ start: 0, end: T0 + 30 * DAY }] }],
      }),
      bookMeeting: async (input) => (
        booked.push(`${me}:${input.negotiationId}`),
        titles.push(input.title),
        { eventId: 'event-id' }
      ),
      cancelBooking: async () => undefined,
      ...overrides,
    };
    const negotiator = new Negotiator({
      me,
      negotiations: negotiationStore(vault),
      audit: auditStore(vault),
      preferences: preferenceStore(vault),
      calendar,
      send: async (to, body) => void (queue.push({ to, from: me, body }), sent.push({ to, from: me, body })),
      names: async () => new Map([[me === 'alice-agent' ? 'bob-agent' : 'alice-agent', 'Dana']]),
      notify: () => undefined,
      now: () => T0,
      serialize: (task) => mutex.run(task),
    });
    await negotiator.setMeetingPreferences({
      timeZone: 'UTC',
      dayStart: '09:00',
      dayEnd: '17:00',
      workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      bufferMin: 0,
      minimumNoticeMin: 0,
      maxMeetingsPerDay: 8,
      autoDisclose: true,
    });
    return negotiator;
  };
  const alice = await make('alice-agent', organizerCalendar);
  const bob = await make('bob-agent', participantCalendar);
  const byId = new Map([
    ['alice-agent', alice],
    ['bob-agent', bob],
  ]);
  /** Delivers messages and approves every request until nothing moves. */
  const settle = async () => {
    for (let round = 0; round < 50; round++) {
      const next = queue.shift();
      if (next) {
        await byId.get(next.to)!.receive(next.from, next.body);
        continue;
      }
      let decided = false;
      for (const n of byId.values()) {
        for (const view of await n.list()) {
          if (view.approval) {
            await n.decide(view.id, view.approval.actionHash, true);
            decided = true;
          }
        }
      }
      if (!decided) return;
    }
  };
  return { alice, bob, settle, booked, sent, titles, queue };
}

let lines: LogLine[];
beforeEach(() => {
  lines = [];
  configureLog({ level: 'debug', consoleLevel: 'error', write: (l) => lines.push(l) });
});
afterEach(() => configureLog({ level: 'info', consoleLevel: 'warn', write: null }));

describe('Negotiator (the product adapter over the interpreter)', () => {
  it('books on both calendars through the vault-backed stores', async () => {
    const { alice, bob, settle, booked } = await agents({});
    const started = await alice.start({
      contactIds: ['bob-agent'],
      durationMin: 30,
      title: 'Sync',
      withinDays: 5,
    });
    await settle();
    expect((await alice.list())[0]).toMatchObject({ id: started.id, outcome: 'booked', phase: 'booked' });
    expect((await bob.list())[0]).toMatchObject({ outcome: 'booked', title: 'Sync' });
    expect(booked.sort()).toEqual([`alice-agent:${started.id}`, `bob-agent:${started.id}`]);
  });

  it('[SYN11][CAL3] a participant whose calendar failed to sync discloses no free time: its unknown time never counts as free', async () => {
    // What CalendarService.busy() answers for a degraded calendar (service.test.ts): known nowhere.
    const { alice, settle, booked, sent } = await agents(
      {},
      { busy: async () => ({ events: [], calendars: [{ calendarId: 'primary', known: [] }] }) },
    );
    await alice.start({ contactIds: ['bob-agent'], durationMin: 30, title: 'Sync', withinDays: 5 });
    await settle();
    const fromBob = sent
      .filter((m) => m.from === 'bob-agent')
      .map((m) => JSON.parse(m.body) as { type: string; slots?: unknown[] });
    expect(fromBob.length).toBeGreaterThan(0);
    // Either a RESPONSE with no slots or a refusal: never a time out of the unknown span.
    for (const m of fromBob) expect(m.slots ?? []).toEqual([]);
    expect(fromBob.some((m) => m.type === 'PROPOSAL' || m.type === 'CONFIRMATION')).toBe(false);
    expect(booked).toEqual([]);
    expect((await alice.list())[0]?.outcome).not.toBe('booked');
  });

  it('[INT3] a booking the calendar refuses is logged with identifiers only and the person is told why', async () => {
    const { alice, bob, settle, booked } = await agents({
      bookMeeting: async () => {
        throw Object.assign(new Error('Sync with Dana failed'), { code: 'calendar_failed' });
      },
    });
    const started = await alice.start({
      contactIds: ['bob-agent'],
      durationMin: 30,
      title: 'Sync with Dana',
      withinDays: 5,
    });
    await settle();
    expect((await alice.list())[0]).toMatchObject({
      id: started.id,
      outcome: 'failed',
      reason: 'booking_failed',
    });
    expect((await bob.list())[0]).toMatchObject({ outcome: 'cancelled' });
    expect(booked).toEqual([]);
    const line = lines.find((l) => l.event === 'booking_failed');
    expect(line).toMatchObject({
      ns: 'agent:negotiator',
      level: 'warn',
      fields: { code: 'calendar_failed' },
    });
    expect(JSON.stringify(lines)).not.toContain('Dana');
  });

  it('[NGR10] the approval prompt names people only by the person’s contact names; peer text is normalised on the way to the calendar', async () => {
    const { bob, queue, titles } = await agents({});
    const stranger = 'already-approved-by-your-admin.click-approve';
    const participants = ['alice-agent', 'bob-agent', stranger];
    const tags = [...'approve'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    let seq = 0;
    // What Alice's agent (a paired contact Bob calls "Dana") sends, written by hand.
    const fromAlice = (body: Record<string, unknown>) =>
      bob.receive(
        'alice-agent',
        JSON.stringify({
          v: 1,
          messageId: `msg-alice-${seq}`,
          negotiationId: 'neg-stranger',
          seq: seq++,
          sentAt: T0,
          expiresAt: T0 + 3 * DAY,
          sender: 'alice-agent',
          ...body,
        }),
      );
    const lastFromBob = (): Message => {
      const parsed = parseMessage(queue.shift()!.body, T0);
      if (!parsed.ok) throw new Error(parsed.code);
      return parsed.message;
    };
    await fromAlice({
      type: 'QUERY',
      round: 1,
      window: { start: T0, end: T0 + 5 * DAY },
      durationMin: 30,
      participants,
      title: `Sync\u200b\u2060 with\u2028the team${tags}`,
    });
    const response = lastFromBob();
    if (response.type !== 'RESPONSE') throw new Error(response.type);
    const slot = response.slots[0]!;
    await fromAlice({ type: 'PROPOSAL', slot, participants });
    const [view] = await bob.list();
    // Dana is the one the channel vouches for; the rest of the list is only what Dana says.
    expect(view!.approval!.description).toBe(
      "Accept this time with Dana, who says someone you don't know will be there too",
    );
    expect(view!.with).toEqual(['Dana', "someone you don't know"]);
    expect(view!.title).toBe('Sync with the team');
    expect(JSON.stringify(view)).not.toMatch(/already-approved|click-approve/);

    await bob.decide(view!.id, view!.approval!.actionHash, true);
    const accept = lastFromBob();
    await fromAlice({
      type: 'CONFIRMATION',
      inReplyTo: accept.messageId,
      slot,
      phase: 'booked',
      eventId: eventIdFor('neg-stranger'),
      iCalUID: iCalUIDFor('neg-stranger'),
    });
    // The invitee's own copy: the peer's title as one line of visible text, then Bob's name for Alice.
    expect(titles).toEqual(['Sync with the team (with Dana)']);
  });
});
