import { z } from 'zod';
import { MIN_PASSPHRASE_CHARS, NoInput, actionsFor } from '../../rpc';
import { onboardingStore } from '../../store';
import type { RuntimeContext } from './context';

const action = actionsFor<RuntimeContext>();

/** Bounded: a passphrase is typed by a person, and PBKDF2 runs over it. */
const Passphrase = z.string().min(1).max(1024);

/** The agent's life: set up, unlock, lock, and what it reports about itself (ACT1). */
export const lifecycleActions = {
  'status.get': action({
    input: NoInput,
    title: 'Show your agent’s status',
    effect: 'read',
    run: (_, { status }) => status(),
  }),
  /** First run: choose the passphrase that encrypts everything the agent keeps. */
  'vault.setUp': action({
    input: z
      .object({
        passphrase: Passphrase.min(MIN_PASSPHRASE_CHARS, `use at least ${MIN_PASSPHRASE_CHARS} characters`),
      })
      .strict(),
    title: 'Choose your passphrase',
    effect: 'change',
    async run({ passphrase }, { vault, startSession, status, now }) {
      await vault.setUp(passphrase);
      // [ONB2] The guided first run resumes here until the person finishes or skips it.
      await onboardingStore(vault).save({ step: 'name', at: now() });
      await startSession();
      return status();
    },
  }),
  'vault.unlock': action({
    input: z.object({ passphrase: Passphrase }).strict(),
    title: 'Unlock Parley',
    effect: 'change',
    async run({ passphrase }, { vault, startSession, status }) {
      if (!vault.isUnlocked) await vault.unlock(passphrase);
      await startSession();
      return status();
    },
  }),
  'vault.lock': action({
    input: NoInput,
    title: 'Lock Parley now',
    effect: 'change',
    async run(_, { vault, stopSession, status }) {
      await vault.lock();
      stopSession();
      return status();
    },
  }),
  /** [LOG3] Recent log lines and versions for a bug report: no user data by construction (LOG1). */
  'diagnostics.get': action({
    input: NoInput,
    title: 'Copy diagnostics for a bug report',
    effect: 'read',
    run: async (_, { diagnostics }) => diagnostics(),
  }),
};

export { Passphrase };
