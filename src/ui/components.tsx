import { Fragment, createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { currentZone, setPersonZone } from './dates';
import { useAgentQuery } from './rpc';

export { formatTime } from './dates';

export function ErrorNote({ error }: { error?: ErrorShape }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" data-testid="error" data-code={error.code}>
      {error.message}
    </p>
  );
}

export function RelayDot({ connected, lastError }: { connected: boolean; lastError?: string }) {
  const signIn = !connected && lastError === 'firebase_token_required';
  return (
    <span
      class={connected ? 'dot dot-on' : 'dot dot-off'}
      data-testid="relay-status"
      data-connected={String(connected)}
      data-error={lastError ?? ''}
    >
      {connected ? 'Relay connected' : signIn ? 'Relay: sign-in required' : 'Relay offline'}
    </span>
  );
}

/**
 * What the person can do about a relay that refuses this agent's account (FBA6), in plain words;
 * undefined when there is nothing for them to do.
 */
export function relayAccountProblem(lastError: string | undefined): string | undefined {
  switch (lastError) {
    case 'firebase_token_required':
      return 'This relay needs you to sign in. Open Settings → Account and sign in (or create an account).';
    case 'firebase_uid_mismatch':
      return 'This agent is tied to another account at this relay. Sign in with the account you used first.';
    case 'firebase_token_invalid':
    case 'firebase_token_expired':
      return 'The relay refused your sign-in. Sign out and in again under Settings → Account.';
    case 'firebase_token_unavailable':
      return 'Parley could not renew your sign-in with Firebase. It will keep trying; check your connection.';
    default:
      return undefined;
  }
}

/** The level of a section's heading: 2 on its own, 3 inside a group of settings (headings never skip). */
export const HeadingLevel = createContext<2 | 3>(2);

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const Heading = useContext(HeadingLevel) === 3 ? 'h3' : 'h2';
  return (
    <section class="section">
      <Heading class="section-title">{title}</Heading>
      {children}
    </section>
  );
}

/**
 * [A11Y8] Dates below this show in the person's time zone (their meeting preferences) once the agent has
 * answered; until then, and while it is locked, in the browser's. A different zone re-renders the page
 * once (a new key), so no time stays in the old zone.
 */
export function PersonZone({ children }: { children: ComponentChildren }) {
  const { data } = useAgentQuery('preferences.get', {}, ['status']);
  if (data) setPersonZone(data.timeZone);
  return <Fragment key={currentZone()}>{children}</Fragment>;
}
