import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import de from '../../assets/public/_locales/de/messages.json';
import en from '../../assets/public/_locales/en/messages.json';
import type { NegotiationView } from '../rpc';
import { useCatalog } from './i18n';
import { narrate } from './narrate';

// The words come from the extension's own catalogs (I18N1), read here as the browser would.
beforeAll(() => useCatalog(en));
afterAll(() => useCatalog(undefined));

// Wednesday 2026-12-02 08:00 UTC; Thursday is the next day.
const NOW = Date.UTC(2026, 11, 2, 8, 0);
const thu = (h: number, m = 0) => Date.UTC(2026, 11, 3, h, m);
const slot = (start: number, minutes = 30) => ({ start, end: start + minutes * 60_000 });
const opts = { locale: 'en-GB', timeZone: 'UTC', now: NOW };

const organizer = (over: Partial<NegotiationView>): NegotiationView => ({
  id: 'n1',
  role: 'organizer',
  phase: 'booked',
  title: 'Launch plan',
  with: ['Ben'],
  updated: NOW,
  ...over,
});

describe('narrating a negotiation', () => {
  it('[HOM2] tells what the agents did, in order, and the booked outcome', () => {
    const view = organizer({
      outcome: 'booked',
      slot: slot(thu(14)),
      story: {
        peers: [{ name: 'Ben', status: 'accepted', offered: [slot(thu(10)), slot(thu(14)), slot(thu(16))] }],
        proposed: slot(thu(14)),
      },
    });
    const told = narrate(view, opts);
    expect(told.steps).toBe(
      'Ben’s agent offered 3 times tomorrow; you proposed tomorrow at 14:00; Ben accepted.',
    );
    expect(told).toMatchObject({ kind: 'booked', outcome: 'Booked for tomorrow at 14:00.' });
  });

  it('[HOM2] names the day further out, and counts one time as one', () => {
    const fri = Date.UTC(2026, 11, 4, 9);
    const told = narrate(
      organizer({
        phase: 'proposing',
        story: { peers: [{ name: 'Cy', status: 'proposed', offered: [slot(fri)] }] },
      }),
      opts,
    );
    expect(told.steps).toBe('Cy’s agent offered 1 time on Friday.');
  });

  it('[HOM2] a decline names who declined; no common time is not a decline', () => {
    const declined = narrate(
      organizer({
        phase: 'failed',
        outcome: 'failed',
        story: { failures: [{ who: 'Ben', reason: 'declined' }] },
      }),
      opts,
    );
    expect(declined).toMatchObject({ kind: 'declined', outcome: 'Declined by Ben.' });
    const none = narrate(
      organizer({
        phase: 'failed',
        outcome: 'failed',
        story: { failures: [{ who: 'Ben', reason: 'no_overlap' }] },
      }),
      opts,
    );
    expect(none.kind).toBe('no_common_time');
    expect(none.outcome).toContain('No common time');
    expect(none.outcome).not.toContain('declined');
  });

  it('[HOM2] expired, cancelled (by whom), failed bookings and timeouts each have their own words', () => {
    expect(
      narrate(
        organizer({
          phase: 'failed',
          outcome: 'failed',
          story: { failures: [{ who: 'Ben', reason: 'expired' }] },
        }),
        opts,
      ).kind,
    ).toBe('expired');
    expect(
      narrate(organizer({ phase: 'cancelled', outcome: 'cancelled', story: { cancelledBy: 'you' } }), opts)
        .outcome,
    ).toBe('You cancelled it.');
    expect(
      narrate(organizer({ phase: 'cancelled', outcome: 'cancelled', story: { cancelledBy: 'Ben' } }), opts)
        .outcome,
    ).toBe('Cancelled by Ben.');
    expect(
      narrate(
        organizer({
          phase: 'failed',
          outcome: 'failed',
          story: { failures: [{ who: 'you', reason: 'booking_failed' }] },
        }),
        opts,
      ).outcome,
    ).toMatch(/calendar refused/);
    expect(
      narrate(
        organizer({
          phase: 'failed',
          outcome: 'failed',
          story: { failures: [{ who: 'Cy', reason: 'timed_out' }] },
        }),
        opts,
      ).outcome,
    ).toBe('No answer from Cy’s agent in time.');
  });

  it('[HOM2] an open negotiation says whose agent it waits for, and since when', () => {
    const told = narrate(
      organizer({
        phase: 'querying',
        story: {
          peers: [{ name: 'Ben', status: 'waiting', offered: [] }],
          waitingFor: [{ name: 'Ben', since: Date.UTC(2026, 11, 2, 10, 2) }],
        },
      }),
      opts,
    );
    expect(told).toMatchObject({
      kind: 'waiting',
      outcome: 'Waiting for Ben’s agent — no answer since 10:02.',
    });
    const offline = narrate(
      organizer({
        phase: 'querying',
        story: { waitingFor: [{ name: 'Ben', offlineSince: Date.UTC(2026, 11, 2, 10, 2) }] },
      }),
      opts,
    );
    expect(offline.outcome).toBe('Waiting for Ben’s agent — offline since 10:02.');
  });

  it('[HOM2] the participant’s side: what the organizer asked, what you shared and accepted', () => {
    const told = narrate(
      {
        id: 'n2',
        role: 'participant',
        phase: 'booked',
        title: 'Sync',
        with: ['Ana'],
        outcome: 'booked',
        slot: slot(thu(14)),
        updated: NOW,
        story: {
          organizer: 'Ana',
          durationMin: 30,
          shared: [slot(thu(10)), slot(thu(14))],
          proposed: slot(thu(14)),
          accepted: true,
        },
      },
      opts,
    );
    expect(told.steps).toBe(
      'Ana’s agent asked for 30 minutes; you shared 2 times tomorrow; Ana proposed tomorrow at 14:00; you accepted.',
    );
  });

  it('[HOM2] a pending approval comes first; unknown outcomes and phases are told, never dropped', () => {
    expect(
      narrate(
        organizer({
          phase: 'approving',
          approval: { actionHash: 'h', description: 'Propose', slots: [], expiresAt: NOW },
        }),
        opts,
      ).kind,
    ).toBe('needs_you');
    const future = narrate(
      organizer({ phase: 'x', outcome: 'superseded' as NegotiationView['outcome'] }),
      opts,
    );
    expect(future).toMatchObject({ kind: 'superseded', outcome: 'Ended (superseded).' });
    const phase = narrate(organizer({ phase: 'something_new' }), opts);
    expect(phase).toMatchObject({ kind: 'open', outcome: 'In progress.' });
    // A record without a story (an older build's) still reads.
    expect(narrate(organizer({ outcome: 'booked' }), opts).steps).toBe('');
  });

  it('[I18N1] a story renders whole in German from the German catalog, with German dates', () => {
    useCatalog(de);
    try {
      const told = narrate(
        organizer({
          outcome: 'booked',
          slot: slot(thu(14)),
          story: {
            peers: [
              { name: 'Ben', status: 'accepted', offered: [slot(thu(10)), slot(thu(14)), slot(thu(16))] },
            ],
            proposed: slot(thu(14)),
          },
        }),
        { ...opts, locale: 'de' },
      );
      expect(told.steps).toBe(
        'Der Agent von Ben hat 3 Termine für morgen angeboten; du hast morgen um 14:00 vorgeschlagen; Ben hat zugesagt.',
      );
      expect(told.outcome).toBe('Gebucht für morgen um 14:00.');
      const fri = Date.UTC(2026, 11, 4, 9);
      const one = narrate(
        organizer({
          phase: 'querying',
          story: {
            peers: [{ name: 'Cy', status: 'proposed', offered: [slot(fri)] }],
            waitingFor: [{ name: 'Ben', offlineSince: Date.UTC(2026, 11, 2, 10, 2) }, { name: 'Ana' }],
          },
        }),
        { ...opts, locale: 'de' },
      );
      expect(one.steps).toBe('Der Agent von Cy hat 1 Termin am Freitag angeboten.');
      expect(one.outcome).toBe('Wartet auf: Agent von Ben – offline seit 10:02 und Agent von Ana.');
    } finally {
      useCatalog(en);
    }
  });
});
