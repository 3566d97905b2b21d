import { describe, expect, it } from 'vitest';
import { commandOf, type Command } from './command';
import { localDatesRange, planCommand, type PlanWorld } from './plan';
import { ProposalBook } from './proposals';

const ZONE = 'Europe/Berlin';
// Wednesday 2 December 2026, 10:15 in Berlin.
const NOW = Date.UTC(2026, 11, 2, 9, 15);
const BEN = { agentId: 'B'.repeat(43), name: 'Ben Okafor', status: 'paired' as const };
const DANA = { agentId: 'D'.repeat(43), name: 'Dana Whitfield', status: 'paired' as const };
const CY = { agentId: 'C'.repeat(43), name: 'Cy Tanaka', status: 'blocked' as const };
const world: PlanWorld = { contacts: [BEN, DANA, CY], meetings: [], timeZone: ZONE, now: NOW };

const command = (over: Partial<Command>): Command => ({ ...commandOf('schedule'), ...over });
const berlin = (day: number, hour: number) => Date.UTC(2026, 11, day, hour - 1);

describe('[PRP1] commands become actions by fixed rules', () => {
  it('schedule: the named contacts, the duration, the local window; one day and a part of the day narrow it', () => {
    const plan = planCommand(
      command({
        participants: ['Dana Whitfield'],
        durationMinutes: 45,
        window: { from: '2026-12-03', to: '2026-12-03' },
        partOfDay: 'morning',
      }),
      world,
    );
    expect(plan).toMatchObject({
      kind: 'propose',
      actions: [
        {
          action: 'negotiations.start',
          input: {
            contactIds: [DANA.agentId],
            durationMin: 45,
            window: { start: berlin(3, 8), end: berlin(3, 12) },
          },
        },
      ],
    });
  });

  it('schedule without a length or a window: 30 minutes in the next 7 days; a multi-day part of the day is said not to apply', () => {
    const plain = planCommand(command({ participants: ['Ben Okafor'] }), world);
    expect(plain).toMatchObject({
      actions: [{ input: { durationMin: 30, window: { start: NOW, end: NOW + 7 * 86_400_000 } } }],
    });
    const mornings = planCommand(
      command({
        participants: ['Ben Okafor'],
        window: { from: '2026-12-07', to: '2026-12-13' },
        partOfDay: 'morning',
      }),
      world,
    );
    expect(mornings).toMatchObject({
      actions: [{ input: { window: { start: berlin(7, 0), end: berlin(14, 0) } } }],
    });
    expect(mornings.reply).toMatch(/mornings are not applied/);
  });

  it('a window that already began starts now, and one that has passed is refused', () => {
    const today = planCommand(
      command({ participants: ['Ben Okafor'], window: { from: '2026-12-02', to: '2026-12-02' } }),
      world,
    );
    expect(today).toMatchObject({ actions: [{ input: { window: { start: NOW, end: berlin(3, 0) } } }] });
    const past = planCommand(
      command({ participants: ['Ben Okafor'], window: { from: '2026-12-01', to: '2026-12-01' } }),
      world,
    );
    expect(past.kind).toBe('reply');
  });

  it('message: one send per recipient, body verbatim; invite; agenda defaults to today; help and unknown only reply', () => {
    const message = planCommand(
      command({ intent: 'message', participants: ['Ben Okafor', 'Dana Whitfield'], text: "I'm late!" }),
      world,
    );
    expect(message).toMatchObject({
      kind: 'propose',
      actions: [
        { action: 'messages.send', input: { contactId: BEN.agentId, text: "I'm late!" } },
        { action: 'messages.send', input: { contactId: DANA.agentId, text: "I'm late!" } },
      ],
    });
    expect(planCommand(command({ intent: 'invite' }), world)).toMatchObject({
      actions: [{ action: 'invite.create' }],
    });
    expect(planCommand(command({ intent: 'agenda' }), world)).toMatchObject({
      kind: 'agenda',
      range: localDatesRange({ from: '2026-12-02', to: '2026-12-02' }, ZONE),
    });
    expect(planCommand(command({ intent: 'help' }), world).kind).toBe('reply');
    expect(planCommand(command({ intent: 'unknown' }), world).kind).toBe('reply');
  });

  it('cancel and reschedule act on the one live meeting with those people', () => {
    const meetings = [
      {
        id: 'n1',
        role: 'organizer' as const,
        phase: 'booked',
        title: 'Sync',
        with: ['Ben Okafor'],
        slot: { start: berlin(4, 10), end: berlin(4, 11) },
      },
      { id: 'n2', role: 'organizer' as const, phase: 'cancelled', title: 'Old', with: ['Ben Okafor'] },
    ];
    const w = { ...world, meetings };
    expect(
      planCommand(
        command({
          intent: 'cancel',
          participants: ['Ben Okafor'],
          window: { from: '2026-12-04', to: '2026-12-04' },
        }),
        w,
      ),
    ).toMatchObject({
      actions: [{ action: 'negotiations.cancel', input: { negotiationId: 'n1' } }],
    });
    expect(
      planCommand(
        command({
          intent: 'cancel',
          participants: ['Ben Okafor'],
          window: { from: '2026-12-05', to: '2026-12-05' },
        }),
        w,
      ).kind,
    ).toBe('reply');
    expect(
      planCommand(
        command({
          intent: 'reschedule',
          participants: ['Ben Okafor'],
          window: { from: '2026-12-07', to: '2026-12-13' },
        }),
        w,
      ),
    ).toMatchObject({
      actions: [{ action: 'negotiations.reschedule', input: { negotiationId: 'n1', withinDays: 12 } }],
    });
  });
});

describe('[PRP4] names are never guessed', () => {
  it('an unresolved name, or a contact that is blocked, proposes nothing and says why', () => {
    const unknown = planCommand(command({ participants: ['Ben Okafor'], unresolved: ['Sam'] }), world);
    expect(unknown).toMatchObject({ kind: 'reply', reply: expect.stringContaining('“Sam”') });
    const blocked = planCommand(command({ participants: ['Cy Tanaka'] }), world);
    expect(blocked).toMatchObject({ kind: 'reply', reply: expect.stringContaining('Cy Tanaka') });
    const gone = planCommand(command({ participants: ['Someone Removed'] }), world);
    expect(gone.kind).toBe('reply');
  });
});

describe('[PRP2] a proposal runs at most once, within its time', () => {
  it('is taken once, and not after it expired', () => {
    const book = new ProposalBook(2);
    const actions = [{ action: 'invite.create', input: {}, label: 'Create an invite code' }];
    const id = book.add(actions, 1000);
    expect(book.take(id, 999)).toEqual(actions);
    expect(book.take(id, 999)).toBeUndefined();
    expect(book.take(book.add(actions, 1000), 1000)).toBeUndefined();
    const oldest = book.add(actions, 5000);
    book.add(actions, 5000);
    book.add(actions, 5000);
    expect(book.take(oldest, 1)).toBeUndefined(); // over capacity: the oldest went first
  });
});
