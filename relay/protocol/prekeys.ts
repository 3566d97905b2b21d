import { z } from 'zod';

/**
 * The JSON wire forms of prekeys, defined once here as part of the wire contract; the
 * extension's `src/crypto/prekey-wire.ts` re-exports them. Keys and signatures are base64url
 * without padding.
 */

/** base64url (no padding) of exactly 32 bytes: 43 characters, the last one carrying 4 zero bits. */
export const key32Schema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'a 32-byte key in base64url');
/** base64url (no padding) of exactly 64 bytes: 86 characters, the last one carrying 4 zero bits. */
export const signature64Schema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, 'a 64-byte Ed25519 signature in base64url');
/** [PRE2] Prekey ids are unsigned 32-bit integers chosen by the owner. */
export const prekeyIdSchema = z.number().int().min(0).max(0xffff_ffff);

export const signedPrekeyWireSchema = z.strictObject({
  id: prekeyIdSchema,
  publicKey: key32Schema,
  signature: signature64Schema,
});

export const oneTimePrekeyWireSchema = z.strictObject({
  id: prekeyIdSchema,
  publicKey: key32Schema,
});

/**
 * [PRE1] What the relay hands an initiator for one agent: the agent id (its Ed25519 identity
 * key), the current signed prekey, and one one-time prekey when it has any left (else the
 * last-resort prekey, else none).
 */
export const prekeyBundleWireSchema = z.strictObject({
  v: z.literal(1),
  agentId: key32Schema,
  signedPrekey: signedPrekeyWireSchema,
  oneTimePrekey: oneTimePrekeyWireSchema.optional(),
});

/**
 * [PRE3] What an owner publishes: its current signed prekey, new one-time prekeys to add to
 * the relay's pool, and its last-resort prekey (served once the pool is empty, never deleted
 * by a fetch). A relay replaces the signed and last-resort prekeys and appends the one-time
 * ones.
 */
export const prekeyUploadWireSchema = z.strictObject({
  v: z.literal(1),
  agentId: key32Schema,
  signedPrekey: signedPrekeyWireSchema,
  oneTimePrekeys: z.array(oneTimePrekeyWireSchema).max(1000),
  lastResortPrekey: oneTimePrekeyWireSchema,
});

export type PrekeyBundleWire = z.infer<typeof prekeyBundleWireSchema>;
export type PrekeyUploadWire = z.infer<typeof prekeyUploadWireSchema>;
export type SignedPrekeyWire = z.infer<typeof signedPrekeyWireSchema>;
export type OneTimePrekeyWire = z.infer<typeof oneTimePrekeyWireSchema>;
