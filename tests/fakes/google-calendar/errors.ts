/**
 * Google's error bodies, word for word as in the "Handle API errors" guide (see
 * ../shared/vectors/gcal/calendar-api-error-bodies.json; a test checks every one of these against it).
 */
export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
}

export interface GoogleErrorBody {
  error: { errors: GoogleErrorItem[]; code: number; message: string };
}

const KNOWN: Record<string, Omit<GoogleErrorItem, 'reason'>> = {
  timeRangeEmpty: {
    domain: 'calendar',
    message: 'The specified time range is empty.',
    locationType: 'parameter',
    location: 'timeMax',
  },
  authError: {
    domain: 'global',
    message: 'Invalid Credentials',
    locationType: 'header',
    location: 'Authorization',
  },
  userRateLimitExceeded: { domain: 'usageLimits', message: 'User Rate Limit Exceeded' },
  rateLimitExceeded: { domain: 'usageLimits', message: 'Rate Limit Exceeded' },
  quotaExceeded: { domain: 'usageLimits', message: 'Calendar usage limits exceeded.' },
  forbiddenForNonOrganizer: {
    domain: 'calendar',
    message: 'Shared properties can only be changed by the organizer of the event.',
  },
  notFound: { domain: 'global', message: 'Not Found' },
  duplicate: { domain: 'global', message: 'The requested identifier already exists.' },
  conflict: { domain: 'global', message: 'Conflict' },
  fullSyncRequired: {
    domain: 'calendar',
    message: 'Sync token is no longer valid, a full sync is required.',
    locationType: 'parameter',
    location: 'syncToken',
  },
  updatedMinTooLongAgo: {
    domain: 'calendar',
    message: 'The requested minimum modification time lies too far in the past.',
    locationType: 'parameter',
    location: 'updatedMin',
  },
  deleted: { domain: 'global', message: 'Resource has been deleted' },
  conditionNotMet: {
    domain: 'global',
    message: 'Precondition Failed',
    locationType: 'header',
    location: 'If-Match',
  },
  backendError: { domain: 'global', message: 'Backend Error' },
};

/** The reason Google uses by default for a status, when a test injects only the status. */
export const DEFAULT_REASON: Record<number, string> = {
  400: 'invalid',
  401: 'authError',
  403: 'rateLimitExceeded',
  404: 'notFound',
  409: 'duplicate',
  410: 'fullSyncRequired',
  412: 'conditionNotMet',
  429: 'rateLimitExceeded',
  500: 'backendError',
  503: 'backendError',
};

export function errorBody(
  code: number,
  reason: string,
  message?: string,
  location?: string,
): GoogleErrorBody {
  const known = KNOWN[reason];
  const item: GoogleErrorItem = known
    ? { domain: known.domain, reason, message: message ?? known.message }
    : { domain: 'global', reason, message: message ?? reason };
  if (known?.locationType) {
    item.locationType = known.locationType;
    item.location = location ?? known.location;
  } else if (location) {
    item.locationType = 'parameter';
    item.location = location;
  }
  // Key order as in Google's bodies: domain, reason, message, locationType, location.
  return { error: { errors: [item], code, message: item.message } };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message?: string,
    readonly location?: string,
  ) {
    super(message ?? reason);
  }
  body(): GoogleErrorBody {
    return errorBody(
      this.status,
      this.reason,
      this.message === this.reason ? undefined : this.message,
      this.location,
    );
  }
}
