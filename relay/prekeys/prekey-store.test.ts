import { describe, expect, it } from 'vitest';
import { prekeyUploadWireSchema } from '../protocol';
import { makeAgent, makePrekeyUpload } from '../test-client';
import { useTestRedis } from '../testing/redis-fixture';
import { MemoryPrekeyStore } from './memory-prekey-store';
import { prekeyStoreContract } from './prekey-store.contract';
import { RedisPrekeyStore } from './redis-prekey-store';
import { signedPrekeyIsValid } from './verify-upload';

const db = useTestRedis();
let n = 0;

prekeyStoreContract('MemoryPrekeyStore', async () => new MemoryPrekeyStore());
prekeyStoreContract('RedisPrekeyStore', async () => new RedisPrekeyStore(db.client, `t${++n}:`));

/** Made by src/crypto (libsodium) with `createPrekeyState` + `prekeyUploadToWire`: a cross-implementation vector. */
const EXTENSION_UPLOAD = {
  v: 1,
  agentId: '6kpsY-KcUgq-9VB7Ey7F-ZVHdq6-vnuSQh7qaRRG0iw',
  signedPrekey: {
    id: 43131313,
    publicKey: '833ia3GWBVbsBEf-uSUW2TSIinkPdHHff7Wi-XZpXEY',
    signature: 'hvZzuXAmDrTEj0h4gB1geA9HmjPPhYcqAcv-eAFgMNlqZG5TOMXT701KdPS-48II3XKs767TqQvtGSOEYmmiBw',
  },
  oneTimePrekeys: [
    { id: 43131315, publicKey: 'Ukt7DgefcNuJ5FBm5bI0oIaiQG5Qsuae-hpPRegGgHc' },
    { id: 43131316, publicKey: 'VCA1dDYXfqKkzNMbcfuPBP-LfiGqpPRO3ajIcHLxNAk' },
  ],
  lastResortPrekey: { id: 43131314, publicKey: 'UTHbbL0OiHHjgDnFDqb1Jr7RDd--tt1WQmoFlMsbaTw' },
} as const;

describe('signed prekey verification', () => {
  it('[PRK1] accepts a signed prekey made by the extension (libsodium), with node:crypto', () => {
    const upload = prekeyUploadWireSchema.parse(EXTENSION_UPLOAD);
    expect(signedPrekeyIsValid(upload.agentId, upload.signedPrekey)).toBe(true);
  });

  it('[PRK1] refuses a relabelled id, a swapped key, another signer and a foreign agent id', () => {
    const { agentId, signedPrekey } = EXTENSION_UPLOAD;
    expect(signedPrekeyIsValid(agentId, { ...signedPrekey, id: signedPrekey.id + 1 })).toBe(false);
    expect(
      signedPrekeyIsValid(agentId, {
        ...signedPrekey,
        publicKey: EXTENSION_UPLOAD.lastResortPrekey.publicKey,
      }),
    ).toBe(false);
    const alice = makeAgent();
    const mallory = makeAgent();
    const forged = makePrekeyUpload(alice, { signWith: mallory });
    expect(signedPrekeyIsValid(alice.agentId, forged.signedPrekey)).toBe(false);
    expect(signedPrekeyIsValid(mallory.agentId, makePrekeyUpload(alice).signedPrekey)).toBe(false);
    expect(signedPrekeyIsValid('not-a-key', signedPrekey)).toBe(false);
  });
});
