export { createAgentRuntime, DEFAULT_SETTINGS, type AgentRuntime, type AgentRuntimeDeps } from './runtime';
