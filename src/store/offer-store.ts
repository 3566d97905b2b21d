import { z } from 'zod';
import type { Vault } from '../vault';
import { StoreError } from './errors';

const OFFERS_ID = 'offers';
/** How many offered meetings are kept; the oldest answered ones go first. */
export const MAX_OFFERS = 200;

const slotSchema = z.object({ start: z.number().int(), end: z.number().int() }).strict();

const offerSchema = z
  .object({
    id: z.string().min(1).max(64),
    title: z.string().max(200),
    with: z.object({ name: z.string().min(1).max(100), email: z.string().max(254).optional() }).strict(),
    durationMin: z.number().int().min(5).max(480),
    slots: z.array(slotSchema).min(1).max(5),
    status: z.enum(['pending', 'booked', 'declined']),
    chosen: slotSchema.optional(),
    createdAt: z.number(),
    updated: z.number(),
  })
  .strict();

/** [NOP2] A meeting offered to someone without Parley: pending until the person marks the answer. */
export type OfferRecord = z.infer<typeof offerSchema>;

export interface OfferStore {
  list(): Promise<OfferRecord[]>;
  save(offers: readonly OfferRecord[]): Promise<void>;
}

/** Offered meetings, kept together in the vault (`agentConfig`), validated on the way in and out. */
export function offerStore(vault: Vault): OfferStore {
  return {
    async list() {
      const row = await vault.get('agentConfig', OFFERS_ID);
      if (row === undefined) return [];
      const parsed = z.array(offerSchema).safeParse(row['offers']);
      if (!parsed.success)
        throw new StoreError('invalid_record', 'The stored offered meetings are not readable.');
      return parsed.data;
    },
    async save(offers) {
      const kept = [...offers]
        .sort(
          (a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || b.updated - a.updated,
        )
        .slice(0, MAX_OFFERS);
      await vault.put('agentConfig', { id: OFFERS_ID, offers: z.array(offerSchema).parse(kept) });
    },
  };
}
