import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { base64urlnopad } from '@scure/base';
import { loginMessage, relayError, type LoginRequest, type RelayError } from './protocol';

interface Challenge {
  readonly socketId: string;
  readonly expiresAt: number;
  used: boolean;
}

/**
 * Login proves possession of the agent's Ed25519 key: the relay hands out a
 * random single-use nonce bound to the connection that asked for it, and the
 * agent signs `loginMessage(nonce, agentId)`.
 */
export class ChallengeAuthority {
  readonly #challenges = new Map<string, Challenge>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  issue(socketId: string): { nonce: string; expiresAt: number } {
    this.#sweep();
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.#challenges.set(nonce, { socketId, expiresAt, used: false });
    return { nonce, expiresAt };
  }

  /** Checks a login; a challenge is spent by any attempt, good or bad, so it cannot be retried. */
  verify(
    socketId: string,
    login: LoginRequest,
  ): RelayError<'challenge_unknown' | 'challenge_replayed' | 'challenge_expired' | 'bad_signature'> | null {
    const challenge = this.#challenges.get(login.nonce);
    if (!challenge || challenge.socketId !== socketId) return relayError('challenge_unknown');
    if (challenge.used) return relayError('challenge_replayed');
    challenge.used = true;
    if (this.now() > challenge.expiresAt) return relayError('challenge_expired');
    if (!verifySignature(login)) return relayError('bad_signature');
    // Its connection is now logged in, and no other connection can use it (AUTH3): it is kept
    // no longer (10,000 logins a minute would otherwise hold 10,000 nonces).
    this.#challenges.delete(login.nonce);
    return null;
  }

  #sweep(): void {
    const now = this.now();
    // Spent challenges are kept until they expire so a replay is named as such. The map is in
    // issue order and every challenge lives as long, so the expired ones are at its front.
    for (const [nonce, challenge] of this.#challenges) {
      if (challenge.expiresAt >= now) break;
      this.#challenges.delete(nonce);
    }
  }
}

function verifySignature(login: LoginRequest): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: login.agentId }, format: 'jwk' });
    return verify(
      null,
      loginMessage(login.nonce, login.agentId),
      key,
      base64urlnopad.decode(login.signature),
    );
  } catch {
    // Not a key (createPublicKey) or not a canonical signature (decode): a signature that does not verify.
    return false;
  }
}
