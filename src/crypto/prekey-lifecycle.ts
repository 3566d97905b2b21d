import { z } from 'zod';
import { E2eError } from './errors';
import type { Identity } from './identity';
import {
  signPrekey,
  type OneTimePrekeyPublic,
  type PrekeyUpload,
  type SignedPrekeyPublic,
} from './prekey-bundle';
import { key32Schema, prekeyIdSchema, signature64Schema } from './prekey-wire';
import { generateX25519KeyPair, type X25519KeyPair } from './primitives';
import { secureRandomBytes, type RandomBytes } from './random';
import { fromBase64Url, toBase64Url } from './bytes';

/**
 * The owner's side of the prekey lifecycle, as pure functions over a JSON-serialisable
 * `PrekeyState` (the caller persists it, e.g. in the vault, after every change). Time is
 * passed in (`now`, ms since the epoch) and randomness is injectable, so every decision is
 * testable.
 *
 *   createPrekeyState ──► upload (signed + batch + last resort) ──► relay
 *        │
 *        ├─ maintainPrekeys(now, count on relay) ─► rotate signed prekey every 7 d,
 *        │                                           replenish one-time prekeys below N,
 *        │                                           forget retired signed prekeys after grace
 *        └─ takePrekeySecrets(ids, base key) ─────► responder set-up; one-time prekey deleted
 */

export interface PrekeyPolicy {
  /** [PRE5] A new signed prekey is made when the current one is this old. */
  readonly signedPrekeyRotationMs: number;
  /** [PRE5] A replaced signed prekey stays usable this long for set-ups still in flight. */
  readonly signedPrekeyGraceMs: number;
  /** [PRE6] How many one-time prekeys one replenishment generates. */
  readonly oneTimeBatchSize: number;
  /** [PRE6] Replenish when the relay reports fewer than this many left. */
  readonly replenishBelow: number;
  /** [PRE6] Most one-time prekey secrets kept; beyond it the oldest are forgotten. */
  readonly maxOneTimeSecrets: number;
  /** [PRE7] Most set-up base keys remembered to refuse a replayed initial message. */
  readonly maxUsedBaseKeys: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_PREKEY_POLICY: PrekeyPolicy = {
  signedPrekeyRotationMs: 7 * DAY_MS,
  signedPrekeyGraceMs: 14 * DAY_MS,
  oneTimeBatchSize: 100,
  replenishBelow: 20,
  maxOneTimeSecrets: 1000,
  maxUsedBaseKeys: 5000,
};

interface KeyRecord {
  readonly id: number;
  readonly publicKey: string;
  readonly secretKey: string;
  readonly createdAt: number;
}

interface SignedKeyRecord extends KeyRecord {
  readonly signature: string;
  /** When a newer signed prekey replaced this one; null for the current one. */
  readonly retiredAt: number | null;
}

/** The owner's prekey secrets. Plain JSON (base64url strings): store it as it is. */
export interface PrekeyState {
  readonly v: 1;
  readonly agentId: string;
  readonly nextId: number;
  /** Oldest first; the last one is current (retiredAt null). */
  readonly signedPrekeys: readonly SignedKeyRecord[];
  /** Published and not yet used, oldest first. */
  readonly oneTimePrekeys: readonly KeyRecord[];
  readonly lastResortPrekey: KeyRecord;
  /** base64url base keys of accepted set-ups, oldest first (PRE7). */
  readonly usedBaseKeys: readonly string[];
}

export interface PrekeyOptions {
  readonly now: number;
  readonly policy?: PrekeyPolicy;
  readonly random?: RandomBytes;
}

const nextIdAfter = (id: number): number => (id + 1) % 0x1_0000_0000;

function makeRecord(id: number, now: number, random: RandomBytes): KeyRecord {
  const pair = generateX25519KeyPair(random);
  return {
    id,
    publicKey: toBase64Url(pair.publicKey),
    secretKey: toBase64Url(pair.secretKey),
    createdAt: now,
  };
}

function makeSigned(identity: Identity, id: number, now: number, random: RandomBytes): SignedKeyRecord {
  const record = makeRecord(id, now, random);
  const signature = signPrekey(identity.secretKey, id, fromBase64Url(record.publicKey));
  return { ...record, signature: toBase64Url(signature), retiredAt: null };
}

function makeBatch(start: number, count: number, now: number, random: RandomBytes) {
  const records: KeyRecord[] = [];
  let id = start;
  for (let i = 0; i < count; i++) {
    records.push(makeRecord(id, now, random));
    id = nextIdAfter(id);
  }
  return { records, nextId: id };
}

const publicOf = (record: KeyRecord): OneTimePrekeyPublic => ({
  id: record.id,
  publicKey: fromBase64Url(record.publicKey),
});
const signedPublicOf = (record: SignedKeyRecord): SignedPrekeyPublic => ({
  ...publicOf(record),
  signature: fromBase64Url(record.signature),
});
const pairOf = (record: KeyRecord): X25519KeyPair => ({
  publicKey: fromBase64Url(record.publicKey),
  secretKey: fromBase64Url(record.secretKey),
});

export function currentSignedPrekey(state: PrekeyState): SignedPrekeyPublic {
  const current = state.signedPrekeys.at(-1);
  if (!current) throw new E2eError('bad_state', 'the prekey state has no signed prekey: recreate it');
  return signedPublicOf(current);
}

/**
 * Everything the relay should hold right now (signed, every unused one-time prekey, last
 * resort): republish it when the relay lost its store or on a new relay.
 */
export function fullPrekeyUpload(state: PrekeyState): PrekeyUpload {
  return {
    agentId: state.agentId,
    signedPrekey: currentSignedPrekey(state),
    oneTimePrekeys: state.oneTimePrekeys.map(publicOf),
    lastResortPrekey: publicOf(state.lastResortPrekey),
  };
}

/** [PRE3] A fresh state: one signed prekey, a batch of one-time prekeys, a last-resort prekey. */
export function createPrekeyState(
  identity: Identity,
  options: PrekeyOptions,
): { state: PrekeyState; upload: PrekeyUpload } {
  const policy = options.policy ?? DEFAULT_PREKEY_POLICY;
  const random = options.random ?? secureRandomBytes;
  // A random first id makes collisions with a previous install's ids (still on the relay) unlikely.
  const firstId = new DataView(random(4).buffer).getUint32(0) >>> 1;
  const signed = makeSigned(identity, firstId, options.now, random);
  const lastResort = makeRecord(nextIdAfter(firstId), options.now, random);
  const batch = makeBatch(nextIdAfter(lastResort.id), policy.oneTimeBatchSize, options.now, random);
  const state: PrekeyState = {
    v: 1,
    agentId: identity.agentId,
    nextId: batch.nextId,
    signedPrekeys: [signed],
    oneTimePrekeys: batch.records,
    lastResortPrekey: lastResort,
    usedBaseKeys: [],
  };
  return { state, upload: fullPrekeyUpload(state) };
}

export interface PrekeyMaintenancePlan {
  /** [PRE5] The current signed prekey is at least `signedPrekeyRotationMs` old. */
  readonly rotateSignedPrekey: boolean;
  /** [PRE6] How many one-time prekeys to generate and publish (0 = none). */
  readonly oneTimePrekeysToAdd: number;
  /** [PRE5] Retired signed prekeys whose grace period is over: their secrets are deleted. */
  readonly expiredSignedPrekeyIds: readonly number[];
}

/**
 * Decides, without changing anything, what maintenance is due. `oneTimeCountOnRelay` is the
 * count the relay reports (it hands keys out before the owner sees any message).
 */
export function planPrekeyMaintenance(
  state: PrekeyState,
  options: { readonly now: number; readonly oneTimeCountOnRelay: number; readonly policy?: PrekeyPolicy },
): PrekeyMaintenancePlan {
  const policy = options.policy ?? DEFAULT_PREKEY_POLICY;
  const current = state.signedPrekeys.at(-1);
  return {
    rotateSignedPrekey: !current || options.now - current.createdAt >= policy.signedPrekeyRotationMs,
    oneTimePrekeysToAdd: options.oneTimeCountOnRelay < policy.replenishBelow ? policy.oneTimeBatchSize : 0,
    expiredSignedPrekeyIds: state.signedPrekeys
      .filter((key) => key.retiredAt !== null && options.now - key.retiredAt >= policy.signedPrekeyGraceMs)
      .map((key) => key.id),
  };
}

/**
 * Carries out a plan. Returns the new state and, when something must be published, the
 * upload (the current signed prekey, only the new one-time prekeys, the last resort).
 */
export function applyPrekeyMaintenance(
  identity: Identity,
  state: PrekeyState,
  plan: PrekeyMaintenancePlan,
  options: PrekeyOptions,
): { state: PrekeyState; upload: PrekeyUpload | null } {
  const policy = options.policy ?? DEFAULT_PREKEY_POLICY;
  const random = options.random ?? secureRandomBytes;
  let nextId = state.nextId;
  let signedPrekeys = state.signedPrekeys.filter((key) => !plan.expiredSignedPrekeyIds.includes(key.id));
  if (plan.rotateSignedPrekey) {
    const fresh = makeSigned(identity, nextId, options.now, random);
    nextId = nextIdAfter(nextId);
    signedPrekeys = [
      ...signedPrekeys.map((key) => (key.retiredAt === null ? { ...key, retiredAt: options.now } : key)),
      fresh,
    ];
  }
  const batch = makeBatch(nextId, plan.oneTimePrekeysToAdd, options.now, random);
  const oneTimePrekeys = [...state.oneTimePrekeys, ...batch.records].slice(-policy.maxOneTimeSecrets);
  const next: PrekeyState = { ...state, nextId: batch.nextId, signedPrekeys, oneTimePrekeys };
  const publish = plan.rotateSignedPrekey || batch.records.length > 0;
  return {
    state: next,
    upload: publish
      ? {
          agentId: state.agentId,
          signedPrekey: currentSignedPrekey(next),
          oneTimePrekeys: batch.records.map(publicOf),
          lastResortPrekey: publicOf(next.lastResortPrekey),
        }
      : null,
  };
}

/** `planPrekeyMaintenance` then `applyPrekeyMaintenance`: call it on start-up and on a timer. */
export function maintainPrekeys(
  identity: Identity,
  state: PrekeyState,
  options: PrekeyOptions & { readonly oneTimeCountOnRelay: number },
): { state: PrekeyState; upload: PrekeyUpload | null; plan: PrekeyMaintenancePlan } {
  const plan = planPrekeyMaintenance(state, options);
  return { ...applyPrekeyMaintenance(identity, state, plan, options), plan };
}

export interface TakenPrekeys {
  readonly signedPrekey: X25519KeyPair;
  readonly oneTimePrekey: X25519KeyPair | undefined;
  /** The state with the one-time prekey deleted and the base key remembered. */
  readonly state: PrekeyState;
}

/**
 * The responder's secrets for one set-up. [PRE7] A one-time prekey is returned once and
 * deleted from the returned state; the last-resort prekey is never deleted; a base key seen
 * before is refused with `replay`; an unknown id (never issued, already used, or expired) is
 * refused with `unknown_prekey`.
 */
export function takePrekeySecrets(
  state: PrekeyState,
  used: { readonly signedPrekeyId: number; readonly oneTimePrekeyId?: number; readonly baseKey: Uint8Array },
  policy: PrekeyPolicy = DEFAULT_PREKEY_POLICY,
): TakenPrekeys {
  const baseKey = toBase64Url(used.baseKey);
  if (state.usedBaseKeys.includes(baseKey)) {
    throw new E2eError(
      'replay',
      'this session set-up was already accepted: ignore the repeated initial message',
    );
  }
  const signed = state.signedPrekeys.find((key) => key.id === used.signedPrekeyId);
  if (!signed) {
    throw new E2eError(
      'unknown_prekey',
      'the signed prekey of this set-up is unknown or expired: the sender must fetch a new bundle',
    );
  }
  let oneTimePrekey: X25519KeyPair | undefined;
  let oneTimePrekeys = state.oneTimePrekeys;
  if (used.oneTimePrekeyId !== undefined) {
    if (used.oneTimePrekeyId === state.lastResortPrekey.id) {
      oneTimePrekey = pairOf(state.lastResortPrekey);
    } else {
      const record = state.oneTimePrekeys.find((key) => key.id === used.oneTimePrekeyId);
      if (!record) {
        throw new E2eError(
          'unknown_prekey',
          'the one-time prekey of this set-up was already used or is unknown: the sender must fetch a new bundle',
        );
      }
      oneTimePrekey = pairOf(record);
      oneTimePrekeys = state.oneTimePrekeys.filter((key) => key !== record);
    }
  }
  return {
    signedPrekey: pairOf(signed),
    oneTimePrekey,
    state: {
      ...state,
      oneTimePrekeys,
      usedBaseKeys: [...state.usedBaseKeys, baseKey].slice(-policy.maxUsedBaseKeys),
    },
  };
}

const keyRecordSchema = z.strictObject({
  id: prekeyIdSchema,
  publicKey: key32Schema,
  secretKey: key32Schema,
  createdAt: z.number(),
});

const prekeyStateSchema = z.strictObject({
  v: z.literal(1),
  agentId: key32Schema,
  nextId: prekeyIdSchema,
  signedPrekeys: z
    .array(keyRecordSchema.extend({ signature: signature64Schema, retiredAt: z.number().nullable() }))
    .min(1),
  oneTimePrekeys: z.array(keyRecordSchema),
  lastResortPrekey: keyRecordSchema,
  usedBaseKeys: z.array(key32Schema),
});

/** Validates stored JSON back into a `PrekeyState`; `bad_state` if it is corrupt. */
export function parsePrekeyState(json: unknown): PrekeyState {
  const parsed = prekeyStateSchema.safeParse(json);
  if (!parsed.success)
    throw new E2eError('bad_state', 'the stored prekey state is corrupt: recreate and republish prekeys');
  return parsed.data;
}
