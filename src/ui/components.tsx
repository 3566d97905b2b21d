import type { ComponentChildren } from 'preact';
import type { ErrorShape } from '../errors';

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

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="section">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export const formatTime = (at: number) =>
  new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
