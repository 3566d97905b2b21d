import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '../crypto';
import { ParleyError } from '../errors';
import { isLoopbackRelay, sameRelay } from './relay-address';

/**
 * An invite code carries everything a second agent needs to reach the first:
 * its agent id, its relay, and a one-time secret that proves the holder was
 * invited. Format: `parley1.` + base64url(JSON).
 */
const PREFIX = 'parley1.';

const InvitePayload = z
  .object({
    a: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    r: z.url({ protocol: /^(https?|wss?)$/ }),
    s: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
    e: z.number().int().positive(),
  })
  .strict();

export interface Invite {
  agentId: string;
  relayUrl: string;
  secret: string;
  expiresAt: number;
}

export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;

export function encodeInvite(invite: Invite): string {
  const json = JSON.stringify({
    a: invite.agentId,
    r: invite.relayUrl,
    s: invite.secret,
    e: invite.expiresAt,
  });
  return PREFIX + toBase64Url(new TextEncoder().encode(json));
}

export function decodeInvite(code: string, now: number): Invite {
  const trimmed = code.trim();
  const invalid = new ParleyError(
    'invite_invalid',
    'This is not a Parley invite code. Ask your contact to copy the whole code again.',
  );
  if (!trimmed.startsWith(PREFIX)) throw invalid;
  let payload: z.infer<typeof InvitePayload>;
  try {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(
      fromBase64Url(trimmed.slice(PREFIX.length)),
    );
    payload = InvitePayload.parse(JSON.parse(json));
  } catch (cause) {
    // Mistyped or truncated paste: one message that tells the person to copy the invite again.
    throw new ParleyError(invalid.code, invalid.message, { cause });
  }
  if (payload.e <= now) {
    throw new ParleyError('invite_expired', 'This invite has expired. Ask your contact for a new one.');
  }
  return { agentId: payload.a, relayUrl: payload.r, secret: payload.s, expiresAt: payload.e };
}

/**
 * PAIR5, PAIR6: agents talk only through one relay (relays do not pass messages to each other), so an invite
 * from another relay cannot pair as it is. Throws `invite_other_relay` carrying the invite's relay, which the
 * person may switch to, or `invite_relay_local` when that relay is on the inviter's own computer and nobody
 * else can reach it. Nothing has been stored or sent when it throws.
 */
export function checkInviteRelay(inviteRelay: string, ownRelay: string): void {
  if (sameRelay(inviteRelay, ownRelay)) return;
  if (isLoopbackRelay(inviteRelay) && !isLoopbackRelay(ownRelay)) {
    throw new ParleyError(
      'invite_relay_local',
      `This invite names a relay on its creator's own computer (${inviteRelay}), which nobody else can reach, ` +
        `so your agents cannot talk. Ask them to set a public relay in Parley's settings (yours is ${ownRelay}) ` +
        'and send you a new invite.',
    );
  }
  throw new ParleyError(
    'invite_other_relay',
    `This invite comes from someone on another relay (${inviteRelay}); yours is ${ownRelay}. Agents talk ` +
      `only through the same relay. Switch to ${inviteRelay} and accept (contacts who use ${ownRelay} will ` +
      `not reach you until they switch too), or ask them to set ${ownRelay} in Parley's settings and send ` +
      'a new invite.',
    { relayUrl: inviteRelay },
  );
}
