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

export function RelayDot({ connected }: { connected: boolean }) {
  return (
    <span
      class={connected ? 'dot dot-on' : 'dot dot-off'}
      data-testid="relay-status"
      data-connected={String(connected)}
    >
      {connected ? 'Relay connected' : 'Relay offline'}
    </span>
  );
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
