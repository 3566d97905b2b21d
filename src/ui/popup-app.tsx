import { openOptionsPage, openSidePanel } from '../platform';
import { CalendarLine } from './calendar-section';
import { RelayDot, relayAccountProblem } from './components';
import { PendingApprovals } from './meetings-section';
import { LockGate } from './lock-gate';
import { agent } from './rpc';

export function PopupApp() {
  return (
    <main style={{ width: '320px' }}>
      <header class="header">
        <h1>Parley</h1>
      </header>
      <LockGate>
        {({ agent: status, quarantined }) => (
          <div class="section stack">
            {quarantined ? (
              <p class="error" data-testid="quarantined">
                {quarantined} stored record(s) failed their integrity check and were set aside. Restore from a
                backup in settings.
              </p>
            ) : null}
            <RelayDot connected={status.relay.connected} lastError={status.relay.lastError} />
            <RelayAccountProblem lastError={status.relay.lastError} />
            <div>
              <div class="muted">Your agent’s fingerprint</div>
              <div class="mono" data-testid="fingerprint">
                {status.fingerprint}
              </div>
            </div>
            <div>
              <span data-testid="contact-count">{status.contacts}</span>{' '}
              {status.contacts === 1 ? 'contact' : 'contacts'}
            </div>
            <CalendarLine />
            <PendingApprovals />
            <div class="muted">Relay: {status.relay.url}</div>
            <div class="row">
              <button onClick={() => void openSidePanel().catch(() => undefined)}>Open side panel</button>
              <button class="secondary" data-testid="lock" onClick={() => void agent.call('vault.lock', {})}>
                Lock
              </button>
            </div>
          </div>
        )}
      </LockGate>
    </main>
  );
}

/** The relay refuses this agent's account: say why, and open the page where it is fixed. */
function RelayAccountProblem({ lastError }: { lastError?: string }) {
  const problem = relayAccountProblem(lastError);
  if (!problem) return null;
  return (
    <div class="stack" data-testid="relay-account-problem" data-code={lastError}>
      <p class="error">{problem}</p>
      <button
        class="secondary"
        data-testid="open-account"
        onClick={() => void openOptionsPage().catch(() => undefined)}
      >
        Open settings
      </button>
    </div>
  );
}
