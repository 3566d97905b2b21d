import { base32hexnopad, base64urlnopad, hex } from '@scure/base';
import { loadSodium, sodiumSync } from '../crypto';
import { SchedulingError } from './errors';

/** libsodium is WebAssembly; call once at start-up before any negotiation step (BLAKE2b is sync after). */
export async function prepareScheduling(): Promise<void> {
  await loadSodium();
}

const encoder = new TextEncoder();

/** BLAKE2b with a domain label, so a hash made for one purpose never matches another. */
export function blake2b(label: string, text: string, bytes = 32): Uint8Array {
  let sodium;
  try {
    sodium = sodiumSync();
  } catch (cause) {
    // The only way sodiumSync throws: a caller skipped prepareScheduling(), a bug the message names.
    throw new SchedulingError('crypto_not_ready', 'Call `await prepareScheduling()` before negotiating.', {
      cause,
    });
  }
  return sodium.crypto_generichash(bytes, encoder.encode(`parley/${label}/v1\n${text}`), null);
}

/** Lowercase hex. */
export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);

/** RFC 4648 §7 "base32hex", lowercase, no padding: Google Calendar's event id alphabet. */
export const base32hex = (bytes: Uint8Array): string => base32hexnopad.encode(bytes).toLowerCase();

/** RFC 4648 §5 base64url, no padding. */
export const base64url = (bytes: Uint8Array): string => base64urlnopad.encode(bytes);
