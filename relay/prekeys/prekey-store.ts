import type { PrekeyBundleWire, PrekeyUploadWire } from '../protocol';

/** The most one-time prekeys kept per agent; older ones are dropped first (PRK3, as PRE6). */
export const MAX_ONE_TIME_PREKEYS = 1000;

/**
 * The relay's store of public prekeys (PRK*). Only public halves ever reach it; an upload is
 * verified (signature, owner) before `publish` is called.
 */
export interface PrekeyStore {
  /**
   * Replaces the signed and last-resort prekeys, appends the one-time ones (keeping the newest
   * MAX_ONE_TIME_PREKEYS) and returns how many one-time prekeys are now held.
   */
  publish(upload: PrekeyUploadWire): Promise<number>;
  /**
   * A bundle for `agentId` that atomically takes one one-time prekey, or carries the
   * last-resort one when none is left; null when the agent never published.
   */
  take(agentId: string): Promise<PrekeyBundleWire | null>;
  /** One-time prekeys left for `agentId`. */
  count(agentId: string): Promise<number>;
}
