import sodium from 'libsodium-wrappers';

export type Sodium = typeof sodium;

/**
 * libsodium is WebAssembly: every primitive is undefined until `ready` resolves.
 * All of src/crypto goes through this one gate.
 */
export async function loadSodium(): Promise<Sodium> {
  await sodium.ready;
  return sodium;
}

/** For code that runs only after `loadSodium()` resolved once (hot paths). */
export function sodiumSync(): Sodium {
  if (typeof sodium.crypto_sign_detached !== 'function') {
    throw new Error('libsodium is not ready: await loadSodium() first');
  }
  return sodium;
}
