export { createAgentRuntime, type AgentRuntime, type AgentRuntimeDeps } from './runtime';
export { AgentSession, DEFAULT_SETTINGS } from './session';
