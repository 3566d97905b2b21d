import type { AgentStatus, DiagnosticsView, RpcTopic } from '../../rpc';
import type { Vault } from '../../vault';
import type { AgentSession } from '../session';

/** What the lifecycle and data actions reach: the runtime itself, not one capability. */
export interface RuntimeContext {
  readonly vault: Vault;
  now(): number;
  status(): Promise<AgentStatus>;
  /** The live session, started if the vault is unlocked; fails `locked` or `setup_required` otherwise. */
  session(): Promise<AgentSession>;
  /** Starts the session after a set-up or an unlock (or returns the live one). */
  startSession(): Promise<AgentSession>;
  /** Stops everything the session started (link, ticks, sync, listeners). */
  stopSession(): void;
  /** The live session if there is one; never starts one. */
  currentSession(): AgentSession | undefined;
  notify(topic: RpcTopic): void;
  diagnostics(): DiagnosticsView;
  /** The registry's dispatch (for actions that run other actions the person confirmed). */
  dispatch(action: string, input: unknown): Promise<unknown>;
}
