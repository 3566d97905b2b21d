import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '../rpc';
import { NAME_CHARS, normalizePeerText } from '../text';
import { AgentCard } from './card';

/**
 * [MSG7] Text a peer wrote, normalised as it is parsed (src/text): what is stored and shown is what the
 * person can see. A chat message that normalises to nothing is not a message.
 */
const peerName = z
  .string()
  .max(NAME_CHARS)
  .transform((s) => normalizePeerText(s, { maxChars: NAME_CHARS }));
const chatText = z
  .string()
  .min(1)
  .max(MAX_MESSAGE_CHARS)
  .transform((s) => normalizePeerText(s, { maxChars: MAX_MESSAGE_CHARS, multiline: true }))
  .pipe(z.string().min(1));

/**
 * What one agent says to another, inside the sealed envelope. Peer messages are
 * data: parsed with this schema, handled by code, never read as instructions.
 */
export const PeerMessage = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('pair.request'),
      v: z.literal(1),
      secret: z.string().min(16).max(64),
      name: peerName,
      // ATT4: absent in cards from agents before the card existed; still accepted.
      card: AgentCard.optional(),
    })
    .strict(),
  z
    .object({ type: z.literal('pair.accept'), v: z.literal(1), name: peerName, card: AgentCard.optional() })
    .strict(),
  // ATT5: a newer card (the person shared, changed or withdrew their address) for contacts already paired.
  z.object({ type: z.literal('card'), v: z.literal(1), card: AgentCard }).strict(),
  // A scheduling message (src/scheduling validates the body with its own schema).
  z.object({ type: z.literal('negotiation'), v: z.literal(1), body: z.string().min(2).max(32_768) }).strict(),
  z
    .object({
      type: z.literal('pair.reject'),
      v: z.literal(1),
      reason: z.enum(['invite_invalid', 'invite_expired', 'invite_used']),
    })
    .strict(),
  z
    .object({
      type: z.literal('chat'),
      v: z.literal(1),
      text: chatText,
      sentAt: z.number(),
    })
    .strict(),
]);

export type PeerMessage = z.infer<typeof PeerMessage>;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export const encodePeerMessage = (message: PeerMessage): Uint8Array =>
  encoder.encode(JSON.stringify(message));

/** Returns null for anything that is not exactly a peer message. */
export function decodePeerMessage(bytes: Uint8Array): PeerMessage | null {
  try {
    const parsed = PeerMessage.safeParse(JSON.parse(decoder.decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not JSON (or not UTF-8): not a peer message, which the null says; the caller drops it.
    return null;
  }
}
