import { beforeAll, describe, expect, it } from 'vitest';
import { E2eError } from './errors';
import {
  applyPrekeyMaintenance,
  createPrekeyState,
  DEFAULT_PREKEY_POLICY,
  maintainPrekeys,
  parsePrekeyState,
  planPrekeyMaintenance,
  takePrekeySecrets,
  type PrekeyState,
} from './prekey-lifecycle';
import { verifySignedPrekey } from './prekey-bundle';
import { loadSodium } from './sodium';
import { identityFromSeed, seededRandom, T0 } from './test-support';

beforeAll(async () => {
  await loadSodium();
});

const DAY = 24 * 60 * 60 * 1000;
const policy = DEFAULT_PREKEY_POLICY;
const baseKey = (byte: number) => new Uint8Array(32).fill(byte);

function fresh() {
  const owner = identityFromSeed(5);
  return { owner, ...createPrekeyState(owner, { now: T0, random: seededRandom(5) }) };
}

const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof E2eError) return error.code;
    throw error;
  }
};

describe('prekey lifecycle', () => {
  it('[PRE3] creates a signed prekey, a batch of one-time prekeys and a last-resort prekey, all with distinct ids', () => {
    const { owner, state, upload } = fresh();
    expect(upload.oneTimePrekeys).toHaveLength(policy.oneTimeBatchSize);
    verifySignedPrekey(owner.publicKey, upload.signedPrekey);
    const ids = [
      upload.signedPrekey.id,
      upload.lastResortPrekey.id,
      ...upload.oneTimePrekeys.map((k) => k.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(state.agentId).toBe(owner.agentId);
    // Same seed, same keys: randomness is injected.
    expect(createPrekeyState(owner, { now: T0, random: seededRandom(5) }).state).toEqual(state);
  });

  it('[PRE5] rotates the signed prekey after 7 days, not before, and keeps the old one for the grace period', () => {
    const { owner, state } = fresh();
    expect(
      planPrekeyMaintenance(state, { now: T0 + 7 * DAY - 1, oneTimeCountOnRelay: 100 }).rotateSignedPrekey,
    ).toBe(false);
    const rotated = maintainPrekeys(owner, state, {
      now: T0 + 7 * DAY,
      oneTimeCountOnRelay: 100,
      random: seededRandom(6),
    });
    expect(rotated.plan.rotateSignedPrekey).toBe(true);
    expect(rotated.upload?.signedPrekey.id).not.toBe(state.signedPrekeys[0]!.id);
    expect(rotated.upload?.oneTimePrekeys).toHaveLength(0);
    expect(rotated.state.signedPrekeys).toHaveLength(2);
    expect(rotated.state.signedPrekeys[0]!.retiredAt).toBe(T0 + 7 * DAY);

    // A set-up in flight that used the old signed prekey still works during the grace period.
    const oldId = state.signedPrekeys[0]!.id;
    expect(() =>
      takePrekeySecrets(rotated.state, { signedPrekeyId: oldId, baseKey: baseKey(1) }),
    ).not.toThrow();
    const inGrace = planPrekeyMaintenance(rotated.state, {
      now: T0 + 21 * DAY - 1,
      oneTimeCountOnRelay: 100,
    });
    expect(inGrace.expiredSignedPrekeyIds).toEqual([]);
    const after = maintainPrekeys(owner, rotated.state, {
      now: T0 + 21 * DAY,
      oneTimeCountOnRelay: 100,
      random: seededRandom(7),
    });
    expect(after.plan.expiredSignedPrekeyIds).toEqual([oldId]);
    expect(codeOf(() => takePrekeySecrets(after.state, { signedPrekeyId: oldId, baseKey: baseKey(1) }))).toBe(
      'unknown_prekey',
    );
  });

  it(`[PRE6] replenishes when the relay holds fewer than ${policy.replenishBelow} one-time prekeys`, () => {
    const { owner, state } = fresh();
    expect(
      planPrekeyMaintenance(state, { now: T0, oneTimeCountOnRelay: policy.replenishBelow })
        .oneTimePrekeysToAdd,
    ).toBe(0);
    const plan = planPrekeyMaintenance(state, { now: T0, oneTimeCountOnRelay: policy.replenishBelow - 1 });
    expect(plan).toEqual({
      rotateSignedPrekey: false,
      oneTimePrekeysToAdd: policy.oneTimeBatchSize,
      expiredSignedPrekeyIds: [],
    });
    const applied = applyPrekeyMaintenance(owner, state, plan, { now: T0 + DAY, random: seededRandom(8) });
    expect(applied.upload?.oneTimePrekeys).toHaveLength(policy.oneTimeBatchSize);
    const known = new Set(state.oneTimePrekeys.map((k) => k.id));
    expect(applied.upload?.oneTimePrekeys.every((k) => !known.has(k.id))).toBe(true);
    expect(applied.state.oneTimePrekeys).toHaveLength(2 * policy.oneTimeBatchSize);
    expect(maintainPrekeys(owner, state, { now: T0, oneTimeCountOnRelay: 50 }).upload).toBeNull();
  });

  it('[PRE6] keeps at most maxOneTimeSecrets one-time prekey secrets, forgetting the oldest', () => {
    const { owner, state } = fresh();
    const small = { ...policy, maxOneTimeSecrets: 150 };
    const applied = maintainPrekeys(owner, state, { now: T0, oneTimeCountOnRelay: 0, policy: small });
    expect(applied.state.oneTimePrekeys).toHaveLength(150);
    expect(applied.state.oneTimePrekeys[0]!.id).toBe(state.oneTimePrekeys[50]!.id);
  });

  it('[PRE7] hands out a one-time prekey once, the last-resort prekey any number of times, and refuses a seen base key', () => {
    const { state } = fresh();
    const oneTimeId = state.oneTimePrekeys[0]!.id;
    const signedPrekeyId = state.signedPrekeys[0]!.id;
    const first = takePrekeySecrets(state, {
      signedPrekeyId,
      oneTimePrekeyId: oneTimeId,
      baseKey: baseKey(1),
    });
    expect(first.oneTimePrekey).toBeDefined();
    expect(first.state.oneTimePrekeys.some((k) => k.id === oneTimeId)).toBe(false);
    expect(
      codeOf(() =>
        takePrekeySecrets(first.state, { signedPrekeyId, oneTimePrekeyId: oneTimeId, baseKey: baseKey(2) }),
      ),
    ).toBe('unknown_prekey');
    const lastResortId = state.lastResortPrekey.id;
    let current: PrekeyState = first.state;
    for (const byte of [3, 4, 5]) {
      current = takePrekeySecrets(current, {
        signedPrekeyId,
        oneTimePrekeyId: lastResortId,
        baseKey: baseKey(byte),
      }).state;
    }
    expect(current.lastResortPrekey).toEqual(state.lastResortPrekey);
    expect(codeOf(() => takePrekeySecrets(current, { signedPrekeyId, baseKey: baseKey(4) }))).toBe('replay');
    expect(
      codeOf(() => takePrekeySecrets(current, { signedPrekeyId: signedPrekeyId + 999, baseKey: baseKey(9) })),
    ).toBe('unknown_prekey');
  });

  it('[PRE8] the state is plain JSON and parses back; corrupt JSON is refused with bad_state', () => {
    const { state } = fresh();
    const json = JSON.parse(JSON.stringify(state));
    expect(parsePrekeyState(json)).toEqual(state);
    expect(codeOf(() => parsePrekeyState({ ...json, signedPrekeys: [] }))).toBe('bad_state');
    expect(codeOf(() => parsePrekeyState({ ...json, v: 2 }))).toBe('bad_state');
  });
});
