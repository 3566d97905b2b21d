export {
  createAgentRuntime,
  OPEN_PALETTE_COMMAND,
  type AgentRuntime,
  type AgentRuntimeDeps,
} from './runtime';
export { AgentSession, DEFAULT_SETTINGS } from './session';
export { ActionRegistry, type ActionInfo } from './registry';
export { createAgentActions, type AgentActions } from './actions';
