import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, generateIdentity, identityFromSecretKey, sign, verify } from './identity';
import { loadSodium } from './sodium';

beforeAll(() => loadSodium());

describe('identity', () => {
  it('[IDK0] the agent id is the Ed25519 public key, and a restored identity is the same agent', async () => {
    const identity = await generateIdentity();
    expect(identity.agentId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const restored = identityFromSecretKey(identity.secretKey.slice());
    expect(restored.agentId).toBe(identity.agentId);
    const message = new TextEncoder().encode('hello');
    expect(verify(identity.agentId, message, sign(restored, message))).toBe(true);
  });

  it('[IDK0] refuses a corrupt stored key and a signature from another key', async () => {
    const identity = await generateIdentity();
    const corrupt = identity.secretKey.slice();
    corrupt[40]! ^= 1;
    expect(() => identityFromSecretKey(corrupt)).toThrow(/corrupt/);
    const other = await generateIdentity();
    const message = new TextEncoder().encode('hello');
    expect(verify(identity.agentId, message, sign(other, message))).toBe(false);
    expect(verify('not-an-id', message, sign(other, message))).toBe(false);
  });

  it('[IDK0] fingerprints are stable and differ between agents', async () => {
    const [a, b] = [await generateIdentity(), await generateIdentity()];
    expect(fingerprint(a.agentId)).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(fingerprint(a.agentId)).toBe(fingerprint(a.agentId));
    expect(fingerprint(a.agentId)).not.toBe(fingerprint(b.agentId));
  });
});
