import { aesGcmDecrypt, aesGcmEncrypt, IV_BYTES, randomBytes, type CryptoDeps } from './aes-gcm';
import { utf8 } from './bytes';
import { decodeBody, encodeBody } from './codec';
import { VaultError } from './errors';
import { ENVELOPE_FIELDS, type AnyRecord } from './schema';

/** Version of the stored envelope `{ ...clear, ciphertext, iv, v }`. */
export const RECORD_FORMAT = 1;

export interface StoredRecord {
  readonly [clearField: string]: unknown;
  readonly ciphertext: ArrayBuffer;
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly v: number;
}

const ENVELOPE = new Set<string>(ENVELOPE_FIELDS);

function isKeyPart(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every(isKeyPart);
}

/**
 * Additional data binds the ciphertext to its store, its primary key and every clear
 * field present (sorted by name), so moving a record to another key or store, or
 * editing an indexed time on disk, fails the tag. Reading it back from the stored
 * fields (not the current registry) keeps records from an older schema readable.
 */
function additionalData(store: string, clear: AnyRecord, v: number): Uint8Array<ArrayBuffer> {
  const names = Object.keys(clear).sort();
  const values = names.map((k) => clear[k]);
  return utf8(
    `parley-vault-record\u0000${v}\u0000${JSON.stringify(store)}\u0000${JSON.stringify(names)}\u0000${JSON.stringify(values)}`,
  );
}

export async function sealRecord(
  crypto: CryptoDeps,
  key: CryptoKey,
  store: string,
  keyPath: string,
  clearFields: ReadonlySet<string>,
  record: AnyRecord,
): Promise<StoredRecord> {
  const clear: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  for (const field of Object.keys(record)) {
    const value = record[field];
    if (value === undefined) continue;
    if (clearFields.has(field)) {
      if (!isKeyPart(value)) {
        throw new VaultError(
          'invalid_record',
          `${store}.${field} is stored in clear for indexing and must be a string, a finite number or an array of them.`,
        );
      }
      clear[field] = value;
    } else {
      body[field] = value;
    }
  }
  if (clear[keyPath] === undefined) {
    throw new VaultError('invalid_record', `A ${store} record needs its primary key field "${keyPath}".`);
  }
  const iv = randomBytes(crypto, IV_BYTES);
  const ciphertext = await aesGcmEncrypt(
    crypto,
    key,
    iv,
    encodeBody(body),
    additionalData(store, clear, RECORD_FORMAT),
  );
  return { ...clear, ciphertext, iv, v: RECORD_FORMAT };
}

export type OpenResult =
  | { readonly ok: true; readonly record: AnyRecord }
  | { readonly ok: false; readonly reason: 'malformed' | 'tag_mismatch' | 'unknown_format' };

function asBytes(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Uint8Array) return value as Uint8Array<ArrayBuffer>;
  return undefined;
}

export async function openRecord(
  crypto: CryptoDeps,
  key: CryptoKey,
  store: string,
  stored: unknown,
): Promise<OpenResult> {
  if (stored === null || typeof stored !== 'object') return { ok: false, reason: 'malformed' };
  const s = stored as Record<string, unknown>;
  const iv = asBytes(s.iv);
  const ciphertext = asBytes(s.ciphertext);
  if (!iv || !ciphertext || iv.length !== IV_BYTES) return { ok: false, reason: 'malformed' };
  if (s.v !== RECORD_FORMAT) return { ok: false, reason: 'unknown_format' };
  const clear: Record<string, unknown> = {};
  for (const field of Object.keys(s)) if (!ENVELOPE.has(field)) clear[field] = s[field];
  const plain = await aesGcmDecrypt(crypto, key, iv, ciphertext, additionalData(store, clear, s.v));
  if (!plain) return { ok: false, reason: 'tag_mismatch' };
  let body: unknown;
  try {
    body = decodeBody(plain);
  } catch {
    // The tag verified but the body does not decode: the caller quarantines it as malformed.
    return { ok: false, reason: 'malformed' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, reason: 'malformed' };
  return { ok: true, record: { ...(body as AnyRecord), ...clear } };
}

/** Large opaque blobs (the SQLite file) skip the JSON codec: bytes in, bytes out. */
export async function sealBlob(
  crypto: CryptoDeps,
  key: CryptoKey,
  id: string,
  data: Uint8Array<ArrayBuffer>,
): Promise<StoredRecord> {
  const iv = randomBytes(crypto, IV_BYTES);
  const ciphertext = await aesGcmEncrypt(
    crypto,
    key,
    iv,
    data,
    additionalData('blobs', { id }, RECORD_FORMAT),
  );
  return { id, ciphertext, iv, v: RECORD_FORMAT };
}

export async function openBlob(
  crypto: CryptoDeps,
  key: CryptoKey,
  stored: unknown,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (stored === null || typeof stored !== 'object') return undefined;
  const s = stored as Record<string, unknown>;
  const iv = asBytes(s.iv);
  const ciphertext = asBytes(s.ciphertext);
  if (!iv || !ciphertext || typeof s.id !== 'string' || s.v !== RECORD_FORMAT) return undefined;
  return aesGcmDecrypt(crypto, key, iv, ciphertext, additionalData('blobs', { id: s.id }, RECORD_FORMAT));
}
