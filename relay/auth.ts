import { createPublicKey, randomBytes, verify } from 'node:crypto';
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
  verify(socketId: string, login: LoginRequest): RelayError | null {
    const challenge = this.#challenges.get(login.nonce);
    if (!challenge || challenge.socketId !== socketId) return relayError('challenge_unknown');
    if (challenge.used) return relayError('challenge_replayed');
    challenge.used = true;
    if (this.now() > challenge.expiresAt) return relayError('challenge_expired');
    return verifySignature(login) ? null : relayError('bad_signature');
  }

  #sweep(): void {
    const now = this.now();
    // Spent challenges are kept until they expire so a replay is named as such.
    for (const [nonce, challenge] of this.#challenges) {
      if (challenge.expiresAt < now) this.#challenges.delete(nonce);
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
      Buffer.from(login.signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
