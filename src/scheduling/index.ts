/**
 * Scheduling: availability, slot finding and the agent-to-agent negotiation engine.
 * Spec with rule ids: docs/protocol/scheduling.md. Call `await prepareScheduling()` once at start-up.
 */
export { SchedulingError, schedulingErrorToRpc, type SchedulingErrorCode } from './errors';
export { prepareScheduling } from './hash';

// Time
export {
  type Interval,
  MINUTE,
  HOUR,
  DAY,
  normalize,
  intersect,
  intersectAll,
  subtract,
  union,
} from './interval';
export {
  type ZoneTable,
  zoneTable,
  wallToEpoch,
  epochToWall,
  isoWeekday,
  formatLocal,
  assertTimeZone,
} from './zone';

// Preferences and availability
export {
  type Preferences,
  type PreferencesInput,
  type DisclosurePolicy,
  type ContactRule,
  type ProtectedBlock,
  type PreferredTime,
  type TimeRange,
  type Weekday,
  type WeeklyHours,
  preferencesSchema,
  parsePreferences,
  disclosurePolicyFor,
} from './preferences';
export {
  type CalendarCache,
  type CalendarSnapshot,
  type CalendarCoverage,
  type CachedEvent,
  type TimedEvent,
  type AllDayEvent,
  type EventStatus,
  InMemoryCalendarCache,
} from './calendar-cache';
export {
  type Availability,
  type AvailabilityInput,
  computeAvailability,
  availabilityFromCache,
} from './availability';

// Slots
export { type SlotScore, type ScoreReason, type ParticipantView, scoreValue, explainScore } from './score';
export { type SlotRequest, type RankedSlot, findSlots, checkSearch, commonFree, describeSlot } from './slots';
export { type SearchLimits, DEFAULT_SEARCH_LIMITS } from './limits';

// Negotiation protocol
export {
  type Message,
  type MessageType,
  type MessageOf,
  type PeerText,
  type WireSlot,
  type ParseResult,
  type ParseRejectCode,
  PROTOCOL_VERSION,
  LIMITS,
  MESSAGE_TYPES,
  messageSchema,
  parseMessage,
  checkMessage,
  onGrid,
} from './messages';
export {
  type Effect,
  type NegotiationEvent,
  type StepResult,
  type RejectCode,
  type Outcome,
  type FailureReason,
  type AuditEntry,
  type NegotiationTiming,
  type NegotiationResult,
  DEFAULT_TIMING,
  DEFAULT_FOLLOW_UP_MS,
  RESULT_KINDS,
  resultOf,
} from './negotiation-types';
export { type NegotiationState, step, nextWakeAt } from './negotiation';
export {
  type OrganizerState,
  type OrganizerPhase,
  type PeerThread,
  type Waiting,
  startNegotiation,
  waitingFor,
} from './organizer-machine';
export {
  type ParticipantState,
  type ParticipantPhase,
  type JoinResult,
  joinNegotiation,
} from './participant-machine';
export {
  type InboundGate,
  type GateLimits,
  type GateResult,
  EMPTY_GATE,
  DEFAULT_GATE_LIMITS,
  admitNewNegotiation,
} from './inbound-gate';

// Disclosure, approvals, booking
export {
  type DisclosurePlan,
  type DisclosureLedger,
  planDisclosure,
  planAnswer,
  coarsen,
  EMPTY_LEDGER,
  LEDGER_PERIOD_MS,
  DEFAULT_MAX_SLOTS_PER_WEEK,
  recordDisclosure,
  toldRecently,
} from './disclosure';
export {
  type ApprovalAction,
  type ApprovalRequest,
  type ApprovalDecision,
  type ApprovalCheck,
  actionHash,
  canonicalAction,
  createApprovalRequest,
  checkApproval,
  describeAction,
  namePeople,
  type DescribeOptions,
} from './approvals';
export {
  type BookingPlan,
  type CalendarWriter,
  type CalendarEventRecord,
  eventIdFor,
  iCalUIDFor,
  planBooking,
  applyBooking,
  InMemoryCalendarWriter,
} from './booking';

// The effect interpreter the product and the simulation both run
export {
  type NegotiationRecord,
  type PendingEffect,
  type RetryEffect,
  type NegotiationStorePort,
  type AuditPort,
  type NetworkPort,
  type CalendarPort,
  type ApprovalsPort,
  type PolicyPort,
  type InterpreterPorts,
  type Refusal,
  MAX_EFFECT_ATTEMPTS,
  NegotiationInterpreter,
  auditId,
} from './interpreter';

// In-memory fakes of the runtime, for tests and demos
export {
  Simulation,
  SimAgent,
  SimulatedCrash,
  InMemoryNegotiationStore,
  type SimAgentConfig,
  type SimOptions,
  type NetworkFaults,
  seededRandom,
} from './simulation';
