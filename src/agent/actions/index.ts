import { accountActions } from '../../account';
import { calendarActions } from '../../calendar';
import { peersActions } from '../../peers';
import { modelKeyStore, offerStore } from '../../store';
import { ActionRegistry } from '../registry';
import { AGENT_ERROR_MAPPERS } from '../errors';
import type { RuntimeContext } from './context';
import { dataActions } from './data.actions';
import { lifecycleActions } from './lifecycle.actions';
import { negotiationActions } from './negotiations.actions';
import { meetingActions } from './meetings.actions';
import { OfferBook } from '../offers';
import { assistantActions } from './assistant.actions';
import { settingsActions } from './settings.actions';
import { homeActions, onboardingActions, relayCheckActions } from './home.actions';

export type { RuntimeContext } from './context';

/**
 * [ACT2] Every action, registered once, each group with the way to reach what it works on: the
 * lifecycle and data actions reach the runtime; the others need the unlocked agent's session, and
 * fail `locked` (or `setup_required`) without it.
 */
export function createAgentActions(runtime: RuntimeContext) {
  return new ActionRegistry(AGENT_ERROR_MAPPERS)
    .register(lifecycleActions, () => runtime)
    .register(dataActions, () => runtime)
    .register(settingsActions, runtime.session)
    .register(negotiationActions, runtime.session)
    .register(meetingActions, async () => {
      const session = await runtime.session();
      return {
        offers: new OfferBook({
          store: offerStore(runtime.vault),
          calendar: session.calendar,
          preferences: () => session.negotiator.schedulingPreferences(),
          now: runtime.now,
          changed: () => runtime.notify('negotiations'),
        }),
      };
    })
    .register(peersActions, async () => {
      const session = await runtime.session();
      return { peers: session.peers, search: (text: string) => session.search(text) };
    })
    .register(calendarActions, async () => ({ calendar: (await runtime.session()).calendar }))
    .register(accountActions, async () => ({ account: (await runtime.session()).account }))
    .register(assistantActions, async () => ({
      session: await runtime.session(),
      modelKey: modelKeyStore(runtime.vault),
      dispatch: runtime.dispatch,
      now: runtime.now,
    }))
    .register({ ...homeActions, ...onboardingActions }, async () => ({
      session: await runtime.session(),
      vault: runtime.vault,
      now: runtime.now,
    }))
    .register(relayCheckActions, () => ({
      fetch: (url: string, init: RequestInit) => globalThis.fetch(url, init),
    }));
}

/** The agent's actions by id: the RPC contract's types are derived from this. */
export type AgentActions = ReturnType<typeof createAgentActions> extends ActionRegistry<infer A> ? A : never;
