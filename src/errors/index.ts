/**
 * Errors that cross a boundary carry a code to switch on and a message that
 * says what to do. They travel as `{ code, message }`; `cause` stays local.
 */
export const ERROR_CODES = [
  'bad_request',
  'unknown_method',
  'forbidden',
  'timeout',
  'not_ready',
  'locked',
  'setup_required',
  'already_set_up',
  'wrong_passphrase',
  'unlock_throttled',
  'weak_passphrase',
  'invite_invalid',
  'invite_expired',
  'invite_used',
  'invite_own',
  'invite_other_relay',
  'invite_relay_local',
  'contact_unknown',
  'message_too_long',
  'relay_unavailable',
  'relay_refused',
  'calendar_failed',
  'backup_invalid',
  'account_not_configured',
  'account_wrong_password',
  'account_not_found',
  'account_email_taken',
  'account_weak_password',
  'account_invalid_email',
  'account_disabled',
  'account_throttled',
  'account_unreachable',
  'account_config_invalid',
  'account_failed',
  // Capability errors as the person meets them (each capability's xxxErrorToRpc maps onto these).
  'calendar_reconnect_required',
  'calendar_unavailable',
  'calendar_conflict',
  'calendar_event_gone',
  'calendar_file_rejected',
  'calendar_not_configured',
  'session_failed',
  'scheduling_invalid',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorShape {
  readonly code: ErrorCode;
  readonly message: string;
  /** Set when trying again too soon would be refused (a throttled unlock). */
  readonly retryAfterMs?: number;
  /** Set on `invite_other_relay`: the relay the invite names, which the UI offers to switch to (PAIR5). */
  readonly relayUrl?: string;
  /** Set on `bad_request` from a schema: the refused field's path (`relayUrl`, `google.authUrl`), for forms. */
  readonly field?: string;
}

export class ParleyError extends Error implements ErrorShape {
  readonly retryAfterMs: number | undefined;
  readonly relayUrl: string | undefined;
  readonly field: string | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number; relayUrl?: string; field?: string },
  ) {
    super(message, options);
    this.name = 'ParleyError';
    this.retryAfterMs = options?.retryAfterMs;
    this.relayUrl = options?.relayUrl;
    this.field = options?.field;
  }

  toJSON(): ErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterMs !== undefined && { retryAfterMs: this.retryAfterMs }),
      ...(this.relayUrl !== undefined && { relayUrl: this.relayUrl }),
      ...(this.field !== undefined && { field: this.field }),
    };
  }
}

export const isErrorShape = (value: unknown): value is ErrorShape =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ErrorShape).message === 'string' &&
  (ERROR_CODES as readonly string[]).includes((value as ErrorShape).code);

/** Any thrown value → a shape safe to send to the UI (unknown errors never leak their text). */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof ParleyError) return error.toJSON();
  return {
    code: 'internal',
    message: 'Something went wrong inside the agent. Try again; if it persists, reload the extension.',
  };
}
