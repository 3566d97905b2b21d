import { accountErrorToRpc } from '../account';
import { calendarErrorToRpc } from '../calendar';
import { e2eErrorToRpc } from '../crypto';
import { ParleyError, type ErrorCode, type ErrorShape } from '../errors';
import { schedulingErrorToRpc } from '../scheduling';
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
  closed: 'not_ready',
};

/** Vault failures the person can act on keep their message (the vault writes them for people). */
export const vaultErrors: ErrorMapper = (error) => {
  const code = isVaultError(error) ? VAULT_CODES[error.code] : undefined;
  if (!code || !isVaultError(error)) return undefined;
  const message =
    error.code === 'closed'
      ? 'Parley’s storage was closed (an update, or the browser closing). Reopen this window.'
      : error.message;
  return new ParleyError(code, message, { cause: error, retryAfterMs: error.retryAfterMs });
};

/** A capability's own mapping (`xxxErrorToRpc`: fixed messages that say what to do), as a mapper. */
const fromShape =
  (toRpc: (error: unknown) => ErrorShape | undefined): ErrorMapper =>
  (error) => {
    const shape = toRpc(error);
    return (
      shape && new ParleyError(shape.code, shape.message, { cause: error, retryAfterMs: shape.retryAfterMs })
    );
  };

/** [ACT4] Every capability whose errors can reach an action, mapped once. */
export const AGENT_ERROR_MAPPERS: readonly ErrorMapper[] = [
  vaultErrors,
  fromShape(calendarErrorToRpc),
  fromShape(schedulingErrorToRpc),
  fromShape(e2eErrorToRpc),
  fromShape(accountErrorToRpc),
];

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
