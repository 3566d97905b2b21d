import { isCalendarError } from '../calendar';
import { ParleyError, type ErrorCode } from '../errors';
import { isVaultError } from '../vault';

/** Turns one capability's error into a code the UI can switch on, or passes (undefined). */
export type ErrorMapper = (error: unknown) => ParleyError | undefined;

const VAULT_CODES: Partial<Record<string, ErrorCode>> = {
  wrong_passphrase: 'wrong_passphrase',
  unlock_throttled: 'unlock_throttled',
  already_set_up: 'already_set_up',
  not_set_up: 'setup_required',
  locked: 'locked',
  backup_wrong_passphrase: 'wrong_passphrase',
  backup_invalid: 'backup_invalid',
  backup_tampered: 'backup_invalid',
  backup_incompatible: 'backup_invalid',
};

/** Vault failures the person can act on keep their message (the vault writes them for people). */
export const vaultErrors: ErrorMapper = (error) => {
  const code = isVaultError(error) ? VAULT_CODES[error.code] : undefined;
  if (!code || !isVaultError(error)) return undefined;
  return new ParleyError(code, error.message, { cause: error, retryAfterMs: error.retryAfterMs });
};

/** Calendar failures cross as `calendar_failed` with the calendar's own message. */
export const calendarErrors: ErrorMapper = (error) =>
  isCalendarError(error) ? new ParleyError('calendar_failed', error.message, { cause: error }) : undefined;

export const AGENT_ERROR_MAPPERS: readonly ErrorMapper[] = [vaultErrors, calendarErrors];

/** [ACT4] Any thrown value → a ParleyError; what no mapper knows is `internal` (a bug, and logged). */
export function toParleyError(error: unknown, mappers: readonly ErrorMapper[]): ParleyError {
  if (error instanceof ParleyError) return error;
  for (const map of mappers) {
    const mapped = map(error);
    if (mapped) return mapped;
  }
  return new ParleyError(
    'internal',
    'Something went wrong inside the agent. Try again; if it persists, copy the diagnostics (Settings → Diagnostics) into a bug report.',
    { cause: error },
  );
}
