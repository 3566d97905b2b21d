export type { AgentStore, StoreWrite } from './agent-store';
export type * from './records';
export { vaultAgentStore } from './vault-store';
