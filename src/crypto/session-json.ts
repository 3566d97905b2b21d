import { z } from 'zod';
import { E2eError } from './errors';
import { key32Schema, prekeyIdSchema } from './prekey-wire';
import type { SkippedChain } from './ratchet';
import type { Session } from './session';
import { fromBase64Url, toBase64Url } from './bytes';

/**
 * [SES1] A session as plain JSON (base64url strings, numbers, arrays), for any store, and
 * back. Not on the per-message path: persist after each message, not per byte.
 */

const counter = z.number().int().min(0).max(0x1_0000_0000);
const chainSchema = z.strictObject({ key: key32Schema, n: counter }).nullable();
const sessionJsonSchema = z.strictObject({
  v: z.literal(1),
  role: z.enum(['initiator', 'responder']),
  localAgentId: key32Schema,
  remoteAgentId: key32Schema,
  baseKey: key32Schema,
  associatedData: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
  pendingPrekey: z
    .strictObject({
      identityKey: key32Schema,
      baseKey: key32Schema,
      signedPrekeyId: prekeyIdSchema,
      oneTimePrekeyId: prekeyIdSchema.optional(),
    })
    .nullable(),
  ratchet: z.strictObject({
    rootKey: key32Schema,
    self: z.strictObject({ publicKey: key32Schema, secretKey: key32Schema }),
    remote: key32Schema.nullable(),
    send: chainSchema,
    recv: chainSchema,
    previousSendCount: counter,
    skipped: z.array(
      z.strictObject({ ratchetKey: key32Schema, keys: z.array(z.tuple([counter, key32Schema])) }),
    ),
  }),
});

export type SessionJson = z.infer<typeof sessionJsonSchema>;

const b64 = toBase64Url;
const chainToJson = (chain: { key: Uint8Array; n: number } | null) =>
  chain ? { key: b64(chain.key), n: chain.n } : null;
const chainFromJson = (chain: { key: string; n: number } | null) =>
  chain ? { key: fromBase64Url(chain.key), n: chain.n } : null;

export function sessionToJson(session: Session): SessionJson {
  const r = session.ratchet;
  const pending = session.pendingPrekey;
  return {
    v: 1,
    role: session.role,
    localAgentId: session.localAgentId,
    remoteAgentId: session.remoteAgentId,
    baseKey: b64(session.baseKey),
    associatedData: b64(session.associatedData),
    pendingPrekey: pending
      ? {
          identityKey: b64(pending.identityKey),
          baseKey: b64(pending.baseKey),
          signedPrekeyId: pending.signedPrekeyId,
          ...(pending.oneTimePrekeyId !== undefined ? { oneTimePrekeyId: pending.oneTimePrekeyId } : {}),
        }
      : null,
    ratchet: {
      rootKey: b64(r.rootKey),
      self: { publicKey: b64(r.self.publicKey), secretKey: b64(r.self.secretKey) },
      remote: r.remote ? b64(r.remote) : null,
      send: chainToJson(r.send),
      recv: chainToJson(r.recv),
      previousSendCount: r.previousSendCount,
      skipped: r.skipped.map((chain) => ({
        ratchetKey: b64(chain.ratchetKey),
        keys: [...chain.keys].map(([n, key]): [number, string] => [n, b64(key)]),
      })),
    },
  };
}

/** Stored JSON → session; `bad_state` if it does not match the schema. */
export function sessionFromJson(json: unknown): Session {
  const parsed = sessionJsonSchema.safeParse(json);
  if (!parsed.success) {
    throw new E2eError(
      'bad_state',
      'the stored session is corrupt or from another version: start a new session',
    );
  }
  const s = parsed.data;
  const r = s.ratchet;
  const pending = s.pendingPrekey;
  return {
    v: 1,
    role: s.role,
    localAgentId: s.localAgentId,
    remoteAgentId: s.remoteAgentId,
    baseKey: fromBase64Url(s.baseKey),
    associatedData: fromBase64Url(s.associatedData),
    pendingPrekey: pending
      ? {
          identityKey: fromBase64Url(pending.identityKey),
          baseKey: fromBase64Url(pending.baseKey),
          signedPrekeyId: pending.signedPrekeyId,
          ...(pending.oneTimePrekeyId !== undefined ? { oneTimePrekeyId: pending.oneTimePrekeyId } : {}),
        }
      : null,
    ratchet: {
      rootKey: fromBase64Url(r.rootKey),
      self: { publicKey: fromBase64Url(r.self.publicKey), secretKey: fromBase64Url(r.self.secretKey) },
      remote: r.remote ? fromBase64Url(r.remote) : null,
      send: chainFromJson(r.send),
      recv: chainFromJson(r.recv),
      previousSendCount: r.previousSendCount,
      skipped: r.skipped.map((chain): SkippedChain => ({
        ratchetKey: fromBase64Url(chain.ratchetKey),
        keys: new Map(chain.keys.map(([n, key]) => [n, fromBase64Url(key)])),
      })),
    },
  };
}
