import { describe, expect, it } from 'vitest';
import type { NegotiationRecord } from '../scheduling';
import { storyOf } from './negotiation-story';

const names = new Map([['ben', 'Ben']]);
const nameOf = (id: string) => names.get(id);
const slot = { start: 1_000, end: 2_000 };
// The engine's state has many more fields; the story reads only these (records from older builds may lack some).
const record = (state: object, outcome?: object) =>
  ({
    id: 'n',
    updated: 0,
    state: { expiresAt: 9, ...state },
    ...(outcome ? { outcome } : {}),
  }) as unknown as NegotiationRecord;

describe('the story of a negotiation record', () => {
  it('[HOM2][SIL1] the organizer’s side: each agent’s offers and thread, the proposal, whom it waits for and since when, offline after its follow-up', () => {
    const open = storyOf(
      record({
        role: 'organizer',
        phase: 'querying',
        request: { durationMin: 30 },
        threads: [
          {
            agent: 'ben',
            status: 'waiting',
            offered: [],
            askedAt: 500,
            outbox: { message: { sentAt: 500 } },
          },
        ],
        proposal: null,
      }),
      nameOf,
      'me',
    );
    expect(open).toMatchObject({
      durationMin: 30,
      peers: [{ name: 'Ben', status: 'waiting', offered: [], askedAt: 500 }],
      waitingFor: [{ name: 'Ben', since: 500 }],
    });
    expect(open.waitingFor![0]!.offlineSince).toBeUndefined();
    // Still silent after the follow-up (SIL1): told as offline since Ben's agent was last heard from.
    const silent = storyOf(
      record({
        role: 'organizer',
        phase: 'querying',
        request: { durationMin: 30 },
        threads: [
          { agent: 'ben', status: 'waiting', offered: [], askedAt: 500, lastHeardAt: 700, followedUpAt: 900 },
        ],
        proposal: null,
      }),
      nameOf,
      'me',
    );
    expect(silent.waitingFor).toEqual([{ name: 'Ben', since: 500, offlineSince: 700 }]);
    const failed = storyOf(
      record(
        { role: 'organizer', phase: 'failed', request: { durationMin: 30 }, threads: [], proposal: slot },
        { status: 'failed', reasons: [{ participant: 'ben', reason: 'declined' }] },
      ),
      nameOf,
      'me',
    );
    expect(failed).toMatchObject({ proposed: slot, failures: [{ who: 'Ben', reason: 'declined' }] });
    expect(failed.waitingFor).toBeUndefined();
  });

  it('[HOM2] the participant’s side: what was shared and accepted; who cancelled; strangers are never named by id', () => {
    const booked = storyOf(
      record({
        role: 'participant',
        phase: 'booked',
        organizer: 'ben',
        ask: { durationMin: 45 },
        disclosed: [slot],
        proposal: { slot },
        acceptId: null,
      }),
      nameOf,
      'me',
    );
    expect(booked).toMatchObject({
      organizer: 'Ben',
      durationMin: 45,
      shared: [slot],
      proposed: slot,
      accepted: true,
    });
    const cancelled = storyOf(
      record(
        {
          role: 'participant',
          phase: 'cancelled',
          organizer: 'x',
          ask: { durationMin: 30 },
          disclosed: [],
          proposal: null,
          acceptId: null,
        },
        { status: 'cancelled', by: 'x' },
      ),
      nameOf,
      'me',
    );
    expect(cancelled.cancelledBy).toBe('someone you don’t know');
    expect(JSON.stringify(cancelled)).not.toContain('"x"');
  });
});
