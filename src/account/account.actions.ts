import { z } from 'zod';
import { NoInput, actionsFor } from '../rpc';
import type { AccountService } from './account-service';

export interface AccountActionContext {
  account: AccountService;
}

const action = actionsFor<AccountActionContext>();

/** The Firebase account a relay may ask for (docs/protocol/agent.md ACT1). No token ever crosses. */
export const accountActions = {
  'account.status': action({
    input: NoInput,
    title: 'Show whether you are signed in to the relay’s account',
    effect: 'read',
    run: (_, { account }) => account.status(),
  }),
  'account.signIn': action({
    input: z
      .object({
        email: z.email('type an email address such as you@example.com').max(320),
        password: z.string().min(1, 'type your password').max(4096),
        /** Create the account instead of signing in to an existing one. */
        create: z.boolean().optional(),
      })
      .strict(),
    title: 'Sign in to the relay’s account',
    effect: 'change',
    // The account's user-change hook logs the relay link in again with the new token.
    run: ({ email, password, create }, { account }) => account.signIn(email, password, create ?? false),
  }),
  'account.signOut': action({
    input: NoInput,
    title: 'Sign out of the relay’s account',
    effect: 'change',
    run: (_, { account }) => account.signOut(),
  }),
};
