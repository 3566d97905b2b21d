export type { AgentStore } from './agent-store';
export type * from './records';
export { openIdbStore, AGENT_DB_NAME } from './idb-store';
export { vaultAgentStore } from './vault-store';
