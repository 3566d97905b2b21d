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
    throw new SchedulingError('crypto_not_ready', 'Call `await prepareScheduling()` before negotiating.', {
      cause,
    });
  }
  return sodium.crypto_generichash(bytes, encoder.encode(`parley/${label}/v1\n${text}`), null);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 §7 "base32hex", lowercase, no padding: Google Calendar's event id alphabet. */
export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.ceil((Math.min(3, bytes.length - i) * 8) / 6);
    for (let k = 0; k < chars; k++) out += B64URL[(n >>> (18 - 6 * k)) & 63];
  }
  return out;
}
