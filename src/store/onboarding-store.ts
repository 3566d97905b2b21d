import { z } from 'zod';
import type { Vault } from '../vault';
import { StoreError } from './errors';

const ONBOARDING_ID = 'onboarding';

/** The first run's steps after the passphrase, in order (docs/protocol/interface-home.md ONB1). */
export const ONBOARDING_STEPS = ['name', 'relay', 'calendar', 'model', 'done'] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

const progressSchema = z.object({ step: z.enum(ONBOARDING_STEPS), at: z.number() }).strict();
export type OnboardingProgress = z.infer<typeof progressSchema>;

export interface OnboardingStore {
  /** Undefined for an agent set up before the guided first run existed: nothing to resume. */
  load(): Promise<OnboardingProgress | undefined>;
  save(progress: OnboardingProgress): Promise<void>;
}

/** [ONB2] Where the first run stands, kept in the vault so closing the popup loses nothing. */
export function onboardingStore(vault: Vault): OnboardingStore {
  return {
    async load() {
      const row = await vault.get('agentConfig', ONBOARDING_ID);
      if (row === undefined) return undefined;
      const parsed = progressSchema.safeParse(row['progress']);
      if (!parsed.success)
        throw new StoreError('invalid_record', 'The stored first-run progress is not readable.');
      return parsed.data;
    },
    async save(progress) {
      await vault.put('agentConfig', { id: ONBOARDING_ID, progress: progressSchema.parse(progress) });
    },
  };
}
