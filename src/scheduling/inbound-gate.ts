/**
 * NEG7: limits how many negotiations one peer may open, so a flood of QUERYs with fresh negotiation
 * ids costs the flooder, not the person. A token bucket per peer plus a cap on open negotiations.
 * Pure: returns a new gate; the runtime persists it alongside the negotiations.
 */
export interface GateLimits {
  readonly burst: number;
  readonly perHour: number;
  readonly maxOpenPerPeer: number;
}
export const DEFAULT_GATE_LIMITS: GateLimits = { burst: 5, perHour: 20, maxOpenPerPeer: 10 };

export interface InboundGate {
  readonly buckets: readonly { readonly peer: string; readonly tokens: number; readonly at: number }[];
}
export const EMPTY_GATE: InboundGate = { buckets: [] };

export type GateResult =
  | { readonly ok: true; readonly gate: InboundGate }
  | { readonly ok: false; readonly code: 'rate_limited' | 'too_many_open' };

export function admitNewNegotiation(
  gate: InboundGate,
  peer: string,
  openWithPeer: number,
  now: number,
  limits: GateLimits = DEFAULT_GATE_LIMITS,
): GateResult {
  if (openWithPeer >= limits.maxOpenPerPeer) return { ok: false, code: 'too_many_open' };
  const b = gate.buckets.find((x) => x.peer === peer);
  const refill = b ? ((now - b.at) / 3_600_000) * limits.perHour : limits.burst;
  const tokens = Math.min(limits.burst, (b?.tokens ?? 0) + Math.max(0, refill));
  if (tokens < 1) return { ok: false, code: 'rate_limited' };
  const others = gate.buckets.filter((x) => x.peer !== peer);
  return { ok: true, gate: { buckets: [...others, { peer, tokens: tokens - 1, at: now }] } };
}
