export {
  CommandSchema,
  commandOf,
  INTENTS,
  LocalDate,
  PARTS_OF_DAY,
  type Command,
  type CommandContext,
  type Intent,
  type Understanding,
} from './command';
export { Assistant, type Understood, type UnderstandingWithNote } from './assistant';
export { ProposalBook } from './proposals';
export {
  DEFAULT_DURATION_MIN,
  localDatesRange,
  planCommand,
  type Plan,
  type PlanContact,
  type PlanMeeting,
  type PlanWorld,
  type ProposedAction,
} from './plan';
export * from './openai';
export { builtinUnderstanding, parseCommand } from './parser';
export {
  detectOnDevice,
  NOTES as ON_DEVICE_NOTES,
  onDeviceUnderstanding,
  type LanguageModelLike,
  type OnDeviceState,
  type OnDeviceUnderstanding,
  type Understood as OnDeviceUnderstood,
} from './on-device';
export { applyFollowUp, asRequest, mayFollowUp } from './follow-up';
export {
  ChatTurnSchema,
  PROPOSAL_STATES,
  SUMMARY_BUDGET_BYTES,
  summarizeTurns,
  type ChatTurn,
  type ProposalState,
} from './chat';
export { ChatThread, type ThreadPorts } from './thread';
export { redactCommand, restoreCommand, type Placeholder, type Redacted } from './redact';
