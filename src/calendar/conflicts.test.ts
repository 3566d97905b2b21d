import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, resolveConflict, type ConflictSide } from './conflicts';

const side = (o: Partial<ConflictSide>): ConflictSide => ({
  origin: 'user',
  changedAt: 1_000_000,
  changes: { summary: 'x' },
  ...o,
});

describe('conflict rules', () => {
  it('[CON1] a remembered decision wins over every other rule', () => {
    expect(resolveConflict(side({ origin: 'agent' }), side({}), 'local')).toEqual({
      winner: 'local',
      rule: 'CON1',
    });
  });
  it('[CON2] user-made beats agent-made, even when the agent change is newer', () => {
    expect(resolveConflict(side({ origin: 'agent', changedAt: 9e12 }), side({ origin: 'user' }))).toEqual({
      winner: 'remote',
      rule: 'CON2',
    });
    expect(resolveConflict(side({ origin: 'user' }), side({ origin: 'agent', changedAt: 9e12 }))).toEqual({
      winner: 'local',
      rule: 'CON2',
    });
  });
  it('[CON3] same kind of author, same field: the clearly newer change wins', () => {
    const older = side({ changes: { summary: 'a' }, changedAt: 0 });
    const newer = side({ changes: { summary: 'b' }, changedAt: CLOCK_SKEW_MS + 1 });
    expect(resolveConflict(older, newer)).toEqual({ winner: 'remote', rule: 'CON3' });
    expect(resolveConflict(newer, older)).toEqual({ winner: 'local', rule: 'CON3' });
  });
  it('[CON4] different fields merge', () => {
    expect(
      resolveConflict(side({ changes: { summary: 'a' } }), side({ changes: { location: 'b' } })),
    ).toEqual({ winner: 'merge', rule: 'CON4' });
  });
  it('[CON5] same field, within clock skew: ask the person', () => {
    expect(
      resolveConflict(
        side({ changes: { summary: 'a' }, changedAt: 0 }),
        side({ changes: { summary: 'b' }, changedAt: CLOCK_SKEW_MS }),
      ),
    ).toEqual({ winner: 'ask', rule: 'CON5' });
    expect(
      resolveConflict(
        side({ deleted: true, changes: {}, changedAt: 0 }),
        side({ changes: { summary: 'b' }, changedAt: 10 }),
      ),
    ).toEqual({ winner: 'ask', rule: 'CON5' });
  });
});
