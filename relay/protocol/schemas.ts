import { z } from 'zod';

/** An agent id is its Ed25519 public key, base64url without padding (32 bytes → 43 chars). */
export const AgentId = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an agent id is 43 base64url characters');

/** Sealed payloads travel as base64url text; the relay never looks inside. */
export const SealedPayload = z.string().regex(/^[A-Za-z0-9_-]+$/, 'payload must be base64url');

export const EnvelopeId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'envelope ids are 8–64 url-safe characters');

/** The largest sealed payload the relay accepts, in base64url characters (≈ 48 KiB of bytes). */
export const MAX_PAYLOAD_CHARS = 65_536;

/** A JWT: three base64url parts; the content is checked by firebase-admin, not here. */
export const FirebaseToken = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, 'a Firebase ID token is a JWT');

export const ChallengeRequest = z.object({}).strict();
export const ChallengeResponse = z.object({
  nonce: z.string(),
  expiresAt: z.number(),
});

export const LoginRequest = z
  .object({
    agentId: AgentId,
    nonce: z.string().min(16).max(128),
    signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an Ed25519 signature is 86 base64url characters'),
    /** A Firebase ID token (a JWT); required only by relays configured with a Firebase project (FBA1). */
    firebaseToken: FirebaseToken.optional(),
  })
  .strict();

/** A fresh Firebase ID token for a connection that is already logged in (FBA5). */
export const RefreshRequest = z.object({ firebaseToken: FirebaseToken }).strict();

/** Ask for the presence of agents one already knows by id (PRS1); at most 100 per request. */
export const PresenceSubscribeRequest = z.object({ agentIds: z.array(AgentId).min(1).max(100) }).strict();
export const PresenceUnsubscribeRequest = PresenceSubscribeRequest;
export const PresenceState = z.object({ agentId: AgentId, online: z.boolean() });

/** `prekeys:fetch` names the agent whose bundle the initiator wants. */
export const PrekeyFetchRequest = z.object({ agentId: AgentId }).strict();
export const PrekeyCountRequest = z.object({}).strict();

/** Sent to the sender once the recipient acknowledged the envelope (MBX5). */
export const Receipt = z.object({ id: EnvelopeId, to: AgentId, status: z.literal('delivered') });

export const SendRequest = z
  .object({
    id: EnvelopeId,
    to: AgentId,
    payload: SealedPayload,
  })
  .strict();

/** The most envelopes one `deliver` carries (DLV1). */
export const MAX_DELIVER_BATCH = 100;

/**
 * A recipient's answer to a `deliver`: the ids its application has handled and kept (DLV2).
 * Ids left out stay in the mailbox and are offered again.
 */
export const DeliverAck = z.object({ acked: z.array(z.string().max(64)).max(MAX_DELIVER_BATCH) });
export type DeliverAck = z.infer<typeof DeliverAck>;

/** What the relay pushes to a recipient. `from` is set by the relay from the sender's login. */
export const Envelope = z.object({
  id: EnvelopeId,
  from: AgentId,
  to: AgentId,
  payload: SealedPayload,
  sentAt: z.number(),
});

/**
 * An envelope as JSON: the text `JSON.stringify` gives, with the keys in schema order, built
 * directly (about six times faster on Node 20, where stringifying a 1 KiB envelope takes ≈ 4 µs).
 * Safe because every string field is base64url or url-safe by its schema, so nothing needs
 * escaping; only for envelopes that passed their schemas. A `sentAt` that is not an integer
 * goes through `JSON.stringify`.
 */
export function envelopeJson(e: Envelope): string {
  if (!Number.isSafeInteger(e.sentAt)) {
    return JSON.stringify({ id: e.id, from: e.from, to: e.to, payload: e.payload, sentAt: e.sentAt });
  }
  return `{"id":"${e.id}","from":"${e.from}","to":"${e.to}","payload":"${e.payload}","sentAt":${e.sentAt}}`;
}

export type ChallengeRequest = z.infer<typeof ChallengeRequest>;
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;
export type LoginRequest = z.infer<typeof LoginRequest>;
export type SendRequest = z.infer<typeof SendRequest>;
export type Envelope = z.infer<typeof Envelope>;
export type RefreshRequest = z.infer<typeof RefreshRequest>;
export type PresenceSubscribeRequest = z.infer<typeof PresenceSubscribeRequest>;
export type PrekeyFetchRequest = z.infer<typeof PrekeyFetchRequest>;
export type PresenceState = z.infer<typeof PresenceState>;
export type Receipt = z.infer<typeof Receipt>;

const encoder = new TextEncoder();

/**
 * The bytes an agent signs to log in. Domain-separated so a login signature can
 * never be mistaken for any other signature the agent makes.
 */
export function loginMessage(nonce: string, agentId: string): Uint8Array {
  return encoder.encode(`parley/relay-login/v1\n${nonce}\n${agentId}`);
}
