import { z } from 'zod';
import { aesGcmDecrypt, aesGcmEncrypt, IV_BYTES, randomBytes } from './aes-gcm';
import { fromBase64, toBase64, utf8 } from './bytes';
import { decodeBody, encodeBody } from './codec';
import { isVaultError, VaultError } from './errors';
import { checkIterations, deriveKek, SALT_BYTES, type KdfParams } from './pbkdf2';
import { sealBlob, type StoredRecord } from './record-crypto';
import { BLOB_STORE, type AnyRecord, type RecordMap } from './schema';
import type { ImportReport } from './types';
import { vaultParts, type Vault, type VaultParts } from './vault';

export const BACKUP_FORMAT = 'parley-vault-backup';
export const BACKUP_VERSION = 1;
const CHECK_TEXT = 'parley-vault-backup-check';

const b64 = z.string().refine((text) => {
  try {
    fromBase64(text);
    return true;
  } catch {
    // Not what exportBackup writes: the schema reports it as an invalid backup.
    return false;
  }
}, 'base64');
const sealedPart = z.object({ iv: b64, data: b64 }).strict();

/** The file as written to disk. Only `payload` is secret; the rest is bound to it as additional data. */
export const BackupFileSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    schemaVersion: z.number().int().positive(),
    createdAt: z.number().int().nonnegative(),
    kdf: z
      .object({ name: z.literal('PBKDF2-SHA256'), iterations: z.number().int().positive(), salt: b64 })
      .strict(),
    cipher: z.literal('AES-256-GCM'),
    check: sealedPart,
    payload: sealedPart,
  })
  .strict();
export type BackupFile = z.infer<typeof BackupFileSchema>;

/** Every record of every store, decrypted, and every blob: what a backup's payload holds. */
interface Contents {
  stores: Record<string, AnyRecord[]>;
  blobs: Record<string, Uint8Array<ArrayBuffer>>;
}

const PayloadSchema = z
  .object({
    stores: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
    blobs: z.record(z.string(), z.instanceof(Uint8Array)),
  })
  .strict();

type Header = Omit<BackupFile, 'check' | 'payload'>;

/**
 * The check block proves the passphrase and covers only what the key depends on, so
 * an edited createdAt or schemaVersion reads as tampering, not as a wrong passphrase.
 * The payload is bound to the whole header.
 */
function headerAad(h: Header, part: 'check' | 'payload'): Uint8Array<ArrayBuffer> {
  const kdf = [h.format, h.version, h.kdf.name, h.kdf.iterations, h.kdf.salt, h.cipher];
  return utf8(
    JSON.stringify(part === 'check' ? [...kdf, part] : [...kdf, h.schemaVersion, h.createdAt, part]),
  );
}

/** An encrypted, versioned JSON backup of every store and the history database. */
export async function exportBackup<M extends RecordMap>(
  vault: Vault<M>,
  passphrase: string,
  now: number = Date.now(),
): Promise<string> {
  const parts = vaultParts(vault);
  const { crypto, kdf: policy } = parts.ctx;
  checkIterations(policy, policy.iterations);
  const data = await exportAll(parts);
  const kdf: KdfParams = {
    name: 'PBKDF2-SHA256',
    iterations: policy.iterations,
    salt: randomBytes(crypto, SALT_BYTES),
  };
  const header: Header = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    schemaVersion: parts.ctx.schema.version,
    createdAt: now,
    kdf: { name: kdf.name, iterations: kdf.iterations, salt: toBase64(kdf.salt) },
    cipher: 'AES-256-GCM',
  };
  const key = await deriveKek(crypto, passphrase, kdf);
  const seal = async (plain: Uint8Array<ArrayBuffer>, part: 'check' | 'payload') => {
    const iv = randomBytes(crypto, IV_BYTES);
    const sealed = await aesGcmEncrypt(crypto, key, iv, plain, headerAad(header, part));
    return { iv: toBase64(iv), data: toBase64(new Uint8Array(sealed)) };
  };
  const file: BackupFile = {
    ...header,
    check: await seal(utf8(CHECK_TEXT), 'check'),
    payload: await seal(encodeBody(data), 'payload'),
  };
  return JSON.stringify(file);
}

/**
 * Restores a backup into an unlocked vault. Everything is parsed, checked, decrypted
 * and re-encrypted before the single write transaction starts, so any failure leaves
 * the vault exactly as it was.
 */
export async function importBackup<M extends RecordMap>(
  vault: Vault<M>,
  fileText: string,
  passphrase: string,
  options: { mode: 'merge' | 'replace' },
): Promise<ImportReport> {
  const parts = vaultParts(vault);
  let file: BackupFile;
  try {
    file = BackupFileSchema.parse(JSON.parse(fileText));
  } catch (cause) {
    // Not JSON, or not our format: the person picked the wrong file.
    throw new VaultError(
      'backup_invalid',
      'This is not a Parley vault backup, or it is damaged; pick another file.',
      {
        cause,
      },
    );
  }
  if (file.schemaVersion > parts.ctx.schema.version) {
    throw new VaultError(
      'backup_incompatible',
      'This backup comes from a newer Parley; update the extension first.',
    );
  }
  try {
    checkIterations(parts.ctx.kdf, file.kdf.iterations);
  } catch (cause) {
    // A forged header must not talk us into a cheap key derivation.
    throw new VaultError('backup_invalid', 'This backup claims a weak key derivation and is refused.', {
      cause,
    });
  }
  const { crypto } = parts.ctx;
  const key = await deriveKek(crypto, passphrase, {
    name: 'PBKDF2-SHA256',
    iterations: file.kdf.iterations,
    salt: fromBase64(file.kdf.salt),
  });
  const open = (part: 'check' | 'payload') =>
    aesGcmDecrypt(crypto, key, fromBase64(file[part].iv), fromBase64(file[part].data), headerAad(file, part));
  if (!(await open('check'))) {
    throw new VaultError(
      'backup_wrong_passphrase',
      'That passphrase does not open this backup; nothing was changed.',
    );
  }
  const plain = await open('payload');
  if (!plain) {
    throw new VaultError(
      'backup_tampered',
      'This backup was altered after it was made; nothing was changed.',
    );
  }
  let payload: Contents;
  try {
    payload = PayloadSchema.parse(decodeBody(plain)) as typeof payload;
  } catch (cause) {
    // Authentic but not a payload this version understands.
    throw new VaultError(
      'backup_invalid',
      'The backup decrypted but its contents are not valid; nothing was changed.',
      {
        cause,
      },
    );
  }
  try {
    return await importAll(parts, payload, options.mode);
  } catch (cause) {
    // A record the registry refuses is the backup's fault; anything else goes up as it is.
    if (isVaultError(cause, 'invalid_record')) {
      throw new VaultError(
        'backup_invalid',
        `The backup holds an invalid record (${cause.message}); nothing was changed.`,
        {
          cause,
        },
      );
    }
    throw cause;
  }
}

/** Every record of every store, decrypted, plus blobs. */
async function exportAll({ ctx, lock, records }: VaultParts): Promise<Contents> {
  await lock.require();
  const stores: Record<string, AnyRecord[]> = {};
  for (const store of Object.keys(ctx.schema.stores)) stores[store] = await records.query(store);
  const blobs: Record<string, Uint8Array<ArrayBuffer>> = {};
  for (const key of await ctx.database().getAllKeys(BLOB_STORE)) {
    const data = await records.getBlob(String(key));
    if (data) blobs[String(key)] = data;
  }
  return { stores, blobs };
}

/** Writes validated contents in one IDB transaction; nothing is written if any step fails. */
async function importAll(
  { ctx, lock }: VaultParts,
  data: Contents,
  mode: 'merge' | 'replace',
): Promise<ImportReport> {
  const keys = await lock.require();
  const names = Object.keys(data.stores).filter((s) => s in ctx.schema.stores);
  const sealed = new Map<string, StoredRecord[]>();
  for (const store of names) sealed.set(store, await ctx.sealAll(keys, store, data.stores[store]!));
  const blobs = await Promise.all(
    Object.entries(data.blobs).map(([id, bytes]) => sealBlob(ctx.crypto, keys.get('history')!, id, bytes)),
  );
  let written = 0;
  let skipped = 0;
  await ctx.writes.run(async () => {
    const all = [...Object.keys(ctx.schema.stores), BLOB_STORE];
    const tx = ctx.database().transaction(all, 'readwrite');
    const requests: Promise<unknown>[] = [];
    if (mode === 'replace') for (const s of all) requests.push(tx.objectStore(s).clear());
    const writeAll = async (store: string, records: StoredRecord[], keyPath: string): Promise<void> => {
      const os = tx.objectStore(store);
      if (mode === 'replace') {
        for (const r of records) requests.push(os.put(r));
        written += records.length;
        return;
      }
      // Merge keeps what this device already has: a backup never overwrites newer local data.
      const existing = new Set((await os.getAllKeys()).map((k) => JSON.stringify(k)));
      for (const r of records) {
        if (existing.has(JSON.stringify(r[keyPath]))) skipped++;
        else {
          requests.push(os.put(r));
          written++;
        }
      }
    };
    const work = [
      ...names.map((s) => writeAll(s, sealed.get(s)!, ctx.spec(s).keyPath)),
      writeAll(BLOB_STORE, blobs, 'id'),
    ];
    await ctx.settle(tx, [...requests, Promise.all(work).then(() => Promise.all(requests))]);
  });
  ctx.emit({ type: 'reset' });
  return { mode, written, skipped };
}
