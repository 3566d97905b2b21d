import type { Session } from './session';
import { sessionFromJson, sessionToJson, type SessionJson } from './session-json';

/**
 * Where sessions live, one per peer agent (libsignal's SessionStore). The peers module
 * implements it over the vault; `InMemorySessionStore` is the reference and the test double.
 * A store must return what was stored, and `storeSession` must have persisted durably when
 * its promise resolves (callers acknowledge messages after it).
 */
export interface SessionStore {
  loadSession(remoteAgentId: string): Promise<Session | undefined>;
  storeSession(remoteAgentId: string, session: Session): Promise<void>;
  deleteSession(remoteAgentId: string): Promise<void>;
  listRemoteAgentIds(): Promise<string[]>;
}

/** Keeps JSON, not objects, so it behaves like a persistent store (no shared references). */
export class InMemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, SessionJson>();

  async loadSession(remoteAgentId: string): Promise<Session | undefined> {
    const json = this.#sessions.get(remoteAgentId);
    return json ? sessionFromJson(structuredClone(json)) : undefined;
  }

  async storeSession(remoteAgentId: string, session: Session): Promise<void> {
    this.#sessions.set(remoteAgentId, sessionToJson(session));
  }

  async deleteSession(remoteAgentId: string): Promise<void> {
    this.#sessions.delete(remoteAgentId);
  }

  async listRemoteAgentIds(): Promise<string[]> {
    return [...this.#sessions.keys()];
  }
}
