import { fromBase64, fromUtf8, toBase64, utf8 } from './bytes';
import { VaultError } from './errors';

/**
 * The encrypted part of a record is JSON plus byte arrays (ratchet state and tokens
 * hold keys). The first byte says which decoder to use so the common case (no
 * bytes) skips the reviver, which costs a function call per value.
 */
const PLAIN_JSON = 1;
const TAGGED_JSON = 2;
const BYTES_TAG = '$parley:b64';

function hasBytes(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return true;
  // Deeper than JSON.stringify would go before throwing anyway; let it report the cycle.
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasBytes(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) if (hasBytes((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function replaceBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES_TAG]: toBase64(value) };
  if (value instanceof ArrayBuffer) return { [BYTES_TAG]: toBase64(new Uint8Array(value)) };
  return value;
}

/**
 * The format byte is prepended as a character so TextEncoder produces the final
 * buffer in one go (no copy); a scan for bytes is far cheaper than a replacer that
 * JSON.stringify would call for every value.
 */
export function encodeBody(body: unknown): Uint8Array<ArrayBuffer> {
  return hasBytes(body)
    ? utf8(String.fromCharCode(TAGGED_JSON) + JSON.stringify(body, replaceBytes))
    : utf8(String.fromCharCode(PLAIN_JSON) + JSON.stringify(body));
}

function revive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const b64 = (value as Record<string, unknown>)[BYTES_TAG];
    if (typeof b64 === 'string' && Object.keys(value).length === 1) return fromBase64(b64);
  }
  return value;
}

export function decodeBody(bytes: Uint8Array): unknown {
  const kind = bytes[0];
  const text = fromUtf8(bytes.subarray(1));
  if (kind === PLAIN_JSON) return JSON.parse(text);
  if (kind === TAGGED_JSON) return JSON.parse(text, revive);
  throw new VaultError('corrupt_record', `Unknown record body format ${String(kind)}.`);
}
