import { base64, hex } from '@scure/base';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

// Base64 and hex are @scure/base's (the project's one set). These wrappers only say
// what it returns: a fresh ArrayBuffer-backed array, which WebCrypto and IDB want.

export function hexToBytes(text: string): Uint8Array<ArrayBuffer> {
  return hex.decode(text) as Uint8Array<ArrayBuffer>;
}

export function bytesToHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Padded RFC 4648 base64. */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Strict: throws on anything `toBase64` would not have produced (bad padding, stray characters). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return base64.decode(text) as Uint8Array<ArrayBuffer>;
}
