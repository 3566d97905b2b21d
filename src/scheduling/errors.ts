import type { ErrorShape } from '../errors';

export type SchedulingErrorCode =
  | 'invalid_time_zone'
  | 'invalid_window'
  | 'invalid_preferences'
  | 'invalid_request'
  /** Within the rules, but more work than one search may cost (SLT7). */
  | 'request_too_large'
  | 'crypto_not_ready';

/** Thrown only for caller mistakes (bad arguments); peer input never throws, it gets a typed rejection. */
export class SchedulingError extends Error {
  override readonly name = 'SchedulingError';
  constructor(
    readonly code: SchedulingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What each scheduling mistake means for the person, and what to do about it. */
const TO_RPC: Record<SchedulingErrorCode, ErrorShape> = {
  invalid_time_zone: {
    code: 'scheduling_invalid',
    message:
      'Your time zone is not one Parley knows. Choose a city-based zone such as “Europe/London” in Preferences.',
  },
  invalid_window: {
    code: 'scheduling_invalid',
    message: 'Search for a time that starts now or later and ends within the next 120 days.',
  },
  invalid_preferences: {
    code: 'scheduling_invalid',
    message:
      'Your scheduling preferences do not fit together. Check your working hours and meeting lengths in Preferences.',
  },
  invalid_request: {
    code: 'scheduling_invalid',
    message: 'Choose 1 to 19 contacts and a meeting length between 5 minutes and 24 hours.',
  },
  request_too_large: {
    code: 'scheduling_invalid',
    message:
      'That search is too big to answer quickly. Search a shorter period, with fewer people or fewer possible start times.',
  },
  crypto_not_ready: { code: 'not_ready', message: 'The agent is still starting. Try again in a moment.' },
};

/** A SchedulingError → what crosses the RPC boundary; `undefined` for anything that is not one. */
export function schedulingErrorToRpc(error: unknown): ErrorShape | undefined {
  return error instanceof SchedulingError ? TO_RPC[error.code] : undefined;
}
