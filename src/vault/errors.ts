export type VaultErrorCode =
  | 'not_set_up'
  | 'already_set_up'
  | 'locked'
  | 'wrong_passphrase'
  | 'unlock_throttled'
  | 'weak_kdf'
  | 'unknown_store'
  | 'invalid_record'
  | 'corrupt_record'
  | 'transaction_aborted'
  | 'schema_too_new'
  | 'backup_invalid'
  | 'backup_wrong_passphrase'
  | 'backup_tampered'
  | 'backup_incompatible'
  | 'crypto_failed'
  | 'closed';

/**
 * Every failure the vault reports. `retryAfterMs` is set on `wrong_passphrase` and
 * `unlock_throttled` so a UI can show a countdown instead of guessing.
 */
export class VaultError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaultError';
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The shape that crosses the RPC boundary (no cause: it may hold internals). */
  toJSON(): { code: VaultErrorCode; message: string; retry_after_ms?: number } {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retry_after_ms: this.retryAfterMs };
  }
}

export function isVaultError(e: unknown, code?: VaultErrorCode): e is VaultError {
  return e instanceof VaultError && (code === undefined || e.code === code);
}
