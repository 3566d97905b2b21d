import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarService } from '../calendar';
import { configureLog, type LogLine } from '../log';
import { prepareScheduling } from '../scheduling';
import { auditStore, negotiationStore, preferenceStore } from '../store';
import { Mutex, openVault } from '../vault';
import { Negotiator } from './negotiator';

beforeAll(prepareScheduling);

const T0 = Date.UTC(2024, 5, 3, 6); // Monday 06:00Z
const DAY = 86_400_000;
type Calendar = Pick<CalendarService, 'busy' | 'book' | 'cancelBooking'>;

/** Two product negotiators on real vaults, their messages passed by hand (what the ratchet carries). */
async function agents(organizerCalendar: Partial<Calendar>, participantCalendar: Partial<Calendar> = {}) {
  const queue: { to: string; from: string; body: string }[] = [];
  const sent: { to: string; from: string; body: string }[] = [];
  const booked: string[] = [];
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
      book: async (input) => (booked.push(`${me}:${input.negotiationId}`), 'event-id'),
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
  return { alice, bob, settle, booked, sent };
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
      book: async () => {
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
});
