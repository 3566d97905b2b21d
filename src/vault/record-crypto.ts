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
/**
 * The part of the additional data that depends only on the store and which clear
 * fields a record has (the same for nearly every record of a store), built once.
 */
const shapes = new Map<string, { readonly sorted: readonly string[]; readonly prefix: string }>();
const MAX_SHAPES = 64;

function additionalData(store: string, clear: AnyRecord, v: number): Uint8Array<ArrayBuffer> {
  return utf8(additionalDataText(store, clear, v));
}

function additionalDataText(store: string, clear: AnyRecord, v: number): string {
  const names = Object.keys(clear);
  const shapeKey = `${v}\u0000${store}\u0000${names.join('\u0000')}`;
  let shape = shapes.get(shapeKey);
  if (!shape) {
    const sorted = [...names].sort();
    const prefix = `parley-vault-record\u0000${v}\u0000${JSON.stringify(store)}\u0000${JSON.stringify(sorted)}\u0000`;
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(shapeKey, (shape = { sorted, prefix }));
  }
  return shape.prefix + JSON.stringify(shape.sorted.map((k) => clear[k]));
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

type Envelope = { iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer>; clear: AnyRecord };

function envelopeOf(stored: unknown): Envelope | Exclude<OpenResult, { ok: true }> {
  if (stored === null || typeof stored !== 'object') return { ok: false, reason: 'malformed' };
  const s = stored as Record<string, unknown>;
  const iv = asBytes(s.iv);
  const ciphertext = asBytes(s.ciphertext);
  if (!iv || !ciphertext || iv.length !== IV_BYTES) return { ok: false, reason: 'malformed' };
  if (s.v !== RECORD_FORMAT) return { ok: false, reason: 'unknown_format' };
  const clear: Record<string, unknown> = {};
  for (const field of Object.keys(s)) if (!ENVELOPE.has(field)) clear[field] = s[field];
  return { iv, ciphertext, clear };
}

function bodyOf(plain: Uint8Array, clear: AnyRecord): OpenResult {
  let body: unknown;
  try {
    body = decodeBody(plain);
  } catch {
    // The tag verified but the body does not decode: the caller quarantines it as malformed.
    return { ok: false, reason: 'malformed' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, reason: 'malformed' };
  // The body is a fresh object from JSON.parse and holds no clear field: add them in place.
  return { ok: true, record: Object.assign(body as AnyRecord, clear) };
}

const encoder = new TextEncoder();

/**
 * `openRecord` for many records of one store at once (a query's results): the
 * additional data of all of them is encoded into one buffer, and every decryption
 * is started before the first is awaited, so WebCrypto works through them while
 * the results are being decoded.
 */
export async function openRecords(
  crypto: CryptoDeps,
  key: CryptoKey,
  store: string,
  stored: readonly unknown[],
): Promise<OpenResult[]> {
  const envelopes = stored.map(envelopeOf);
  const texts = envelopes.map((e) => ('clear' in e ? additionalDataText(store, e.clear, RECORD_FORMAT) : ''));
  let size = 0;
  for (const t of texts) size += t.length * 3;
  const aad = new Uint8Array(size);
  let at = 0;
  const pending = envelopes.map((e, i) => {
    if (!('clear' in e)) return undefined;
    const { written } = encoder.encodeInto(texts[i]!, aad.subarray(at));
    const view = aad.subarray(at, at + written);
    at += written;
    return aesGcmDecrypt(crypto, key, e.iv, e.ciphertext, view);
  });
  const out: OpenResult[] = [];
  for (const [i, e] of envelopes.entries()) {
    if (!('clear' in e)) {
      out.push(e);
      continue;
    }
    const plain = await pending[i];
    out.push(plain ? bodyOf(plain, e.clear) : { ok: false, reason: 'tag_mismatch' });
  }
  return out;
}

export async function openRecord(
  crypto: CryptoDeps,
  key: CryptoKey,
  store: string,
  stored: unknown,
): Promise<OpenResult> {
  const e = envelopeOf(stored);
  if (!('clear' in e)) return e;
  const plain = await aesGcmDecrypt(
    crypto,
    key,
    e.iv,
    e.ciphertext,
    additionalData(store, e.clear, RECORD_FORMAT),
  );
  return plain ? bodyOf(plain, e.clear) : { ok: false, reason: 'tag_mismatch' };
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
