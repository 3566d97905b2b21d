import { base64urlnopad, hex } from '@scure/base';

/**
 * Small byte helpers for the fixed-layout encodings of this folder (no allocation games). Text encodings
 * come from @scure/base, the project's one base64/hex helper set; they need no WebAssembly, so they work
 * before libsodium is ready.
 */

/** RFC 4648 §5 base64url without padding; decoding refuses padding, other alphabets and stray bits. */
export const toBase64Url = (bytes: Uint8Array): string => base64urlnopad.encode(bytes);
export const fromBase64Url = (text: string): Uint8Array => base64urlnopad.decode(text);
/** Lowercase hex. */
export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Not constant-time: only for public values (ratchet keys, prekey ids, identity keys). For secrets: constantTimeEqual. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compares two secrets (invite secrets, OAuth `state`, safety-number QR payloads) in time that depends only
 * on their lengths, never on where they first differ. Strings are compared as their UTF-8 bytes.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? utf8(a) : a;
  const y = typeof b === 'string' ? utf8(b) : b;
  if (x.length !== y.length) return false;
  // No early exit and no branch on the bytes (what libsodium's sodium_memcmp does), and no need for
  // libsodium to be loaded.
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

export function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = (value >>> 24) & 0xff;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

export function readU32(source: Uint8Array, offset: number): number {
  return (
    ((source[offset]! << 24) |
      (source[offset + 1]! << 16) |
      (source[offset + 2]! << 8) |
      source[offset + 3]!) >>>
    0
  );
}

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Lexicographic order of two public byte strings (negative, zero, positive). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
