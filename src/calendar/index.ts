export { CalendarError, isCalendarError, calendarErrorToRpc, type CalendarErrorCode } from './errors';
export { systemClock, manualClock, type Clock } from './clock';
export { DEFAULT_RETRY, backoffDelay, parseRetryAfter, type RetryPolicy } from './backoff';
export {
  CalendarClient,
  GOOGLE_CALENDAR_BASE_URL,
  type CalendarClientOptions,
  type TokenProvider,
  type SendUpdates,
  type ListEventsParams,
  type FreeBusyRequest,
} from './client';
export {
  eventSchema,
  eventsPageSchema,
  calendarListSchema,
  freeBusyResponseSchema,
  googleErrorBodySchema,
  type GEvent,
  type EventsPage,
  type EventDateTime,
  type CalendarListEntry,
  type FreeBusyResponse,
} from './schemas';
export {
  MemoryCalendarCache,
  type CalendarCache,
  type CachedEvent,
  type SyncState,
  type SyncWindow,
  type CalendarHealth,
  type LocalWrite,
  type ConflictRecord,
  type ConflictDecision,
} from './cache';
export {
  syncCalendar,
  calendarStatus,
  diffPage,
  PARLEY_NEGOTIATION_KEY,
  type SyncDeps,
  type SyncOptions,
  type SyncProgress,
  type SyncReport,
  type CalendarStatus,
} from './sync';
export {
  freeBusy,
  FREEBUSY_BATCH,
  type CalendarAvailability,
  type BusyInterval,
  type FreeBusyQuery,
} from './freebusy';
export {
  eventIdForNegotiation,
  createEvent,
  updateEvent,
  deleteEvent,
  pushPendingWrites,
  decideConflict,
  sendUpdatesFor,
  type WriteDeps,
  type NewEventInput,
  type WriteOutcome,
} from './writes';
export { resolveConflict, CLOCK_SKEW_MS, type ConflictSide, type Verdict } from './conflicts';
export { isIanaZone, instantRange, checkEventTimes } from './time';
export { vaultCalendarCache } from './vault-cache';
export { readIcs, ICS_LIMITS, type IcsLimits, type IcsCalendar } from './ics';
export { meetingInvitation } from './ics-invitation';
export { offerInvitation, offerMailto, offerTimeText } from './offer-invitation';
export { storeIcs, refreshIcsSubscription, icsAddress, type IcsSyncDeps } from './ics-sync';
export {
  GoogleOAuth,
  GOOGLE_OAUTH_DEFAULTS,
  GOOGLE_SCOPES,
  BUILD_GOOGLE_CLIENT_ID,
  effectiveClientId,
  type GoogleOAuthConfig,
  type GoogleOAuthDeps,
  type StoredTokens,
} from './oauth';
export {
  CalendarService,
  LOCAL_BOOKINGS,
  type CalendarChoice,
  type CalendarSource,
  type CalendarOverview,
  type AgendaItem,
  type CalendarServiceDeps,
} from './service';
export { calendarActions, type CalendarActionContext } from './calendar.actions';
