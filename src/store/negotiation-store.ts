import { z } from 'zod';
import {
  EMPTY_GATE,
  EMPTY_LEDGER,
  type AuditEntry,
  type DisclosureLedger,
  type AuditPort,
  type InboundGate,
  type NegotiationRecord,
  type NegotiationStorePort,
} from '../scheduling';
import type { Vault } from '../vault';
import { StoreError } from './errors';

/**
 * What a negotiation record must look like to be handed to the engine. The machine's state is the
 * engine's plain JSON; its envelope (role, ids, phase, timing) is checked here, so a record written by
 * an older build or damaged on disk is refused with a typed error instead of crashing a step.
 */
const interval = z.object({ start: z.number(), end: z.number() });
const effect = z.looseObject({ kind: z.string() });
const pending = z.object({ key: z.string(), effect });
const stateSchema = z.looseObject({
  role: z.enum(['organizer', 'participant']),
  negotiationId: z.string(),
  self: z.string(),
  phase: z.string(),
  expiresAt: z.number(),
  timing: z.looseObject({ retryMs: z.number(), maxRetries: z.number() }),
});
const recordSchema = z.object({
  id: z.string(),
  updated: z.number(),
  state: stateSchema,
  outcome: z.looseObject({ status: z.enum(['booked', 'failed', 'cancelled']) }).optional(),
  pending: z.array(pending).optional(),
  retry: z.array(pending.extend({ attempts: z.number(), retryAt: z.number() })).optional(),
  problems: z.array(z.string()).optional(),
  steps: z.number().int().optional(),
});
const gateSchema = z.object({
  buckets: z.array(z.object({ peer: z.string(), tokens: z.number(), at: z.number() })),
});
const ledgerSchema = z.object({
  entries: z
    .array(z.object({ contact: z.string(), start: z.number(), end: z.number(), at: z.number() }))
    .max(10_000),
});
const auditSchema = z.object({
  at: z.number(),
  negotiationId: z.string(),
  action: z.enum(['disclosed', 'proposed', 'accepted', 'booked', 'declined', 'cancelled', 'rescheduled']),
  counterparts: z.array(z.string()),
  slots: z.array(interval),
  /** CNV6: meeting hours told (absent in entries written before them). */
  hours: z.array(interval).optional(),
});

const GATE_ID = 'negotiation-gate';
const LEDGER_ID = 'disclosure-ledger';

function parse<T>(schema: z.ZodType, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreError('invalid_record', `A stored ${what} is not readable.`);
  // The schema checked the shape; the engine's types describe the rest of its own JSON.
  return result.data as T;
}

/**
 * Negotiation records (the `negotiations` store), the inbound gate and the disclosure ledger (DIS6), the
 * latter two in `agentConfig`, on the vault.
 */
export function negotiationStore(vault: Vault): NegotiationStorePort {
  return {
    async get(id) {
      const row = await vault.get('negotiations', id);
      return row === undefined ? undefined : parse<NegotiationRecord>(recordSchema, row, 'negotiation');
    },
    async put(record) {
      await vault.put('negotiations', { ...record });
    },
    async list() {
      return (await vault.query('negotiations')).map((row) =>
        parse<NegotiationRecord>(recordSchema, row, 'negotiation'),
      );
    },
    async gate() {
      const row = await vault.get('agentConfig', GATE_ID);
      return row === undefined ? EMPTY_GATE : parse<InboundGate>(gateSchema, row['gate'], 'inbound gate');
    },
    async putGate(gate) {
      await vault.put('agentConfig', { id: GATE_ID, gate });
    },
    async ledger() {
      const row = await vault.get('agentConfig', LEDGER_ID);
      return row === undefined
        ? EMPTY_LEDGER
        : parse<DisclosureLedger>(ledgerSchema, row['ledger'], 'disclosure ledger');
    },
    async putLedger(ledger) {
      await vault.put('agentConfig', { id: LEDGER_ID, ledger: ledgerSchema.parse(ledger) });
    },
  };
}

export interface AuditStore extends AuditPort {
  /** Every entry, oldest first. */
  list(): Promise<AuditEntry[]>;
}

/** [NGR4] The audit log (the `audit` store): what was disclosed or decided, to whom, when. */
export function auditStore(vault: Vault): AuditStore {
  return {
    async append(id, entry) {
      await vault.put('audit', { id, at: entry.at, entry });
    },
    async list() {
      const rows = await vault.query('audit', { index: 'at' });
      return rows.map((row) => parse<AuditEntry>(auditSchema, row['entry'], 'audit entry'));
    },
  };
}
