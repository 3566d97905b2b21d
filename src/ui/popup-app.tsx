import { openSidePanel } from '../platform';
import { ErrorNote, RelayDot } from './components';
import { useAgentQuery } from './rpc';

export function PopupApp() {
  const { data: status, error } = useAgentQuery('status.get', {}, ['status', 'contacts']);
  return (
    <main style={{ width: '320px' }}>
      <header class="header">
        <h1>Parley</h1>
        {status && <RelayDot connected={status.relay.connected} />}
      </header>
      <div class="section stack">
        <ErrorNote error={error} />
        {!status && !error && <p class="muted">Starting your agent…</p>}
        {status && (
          <>
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
            <div class="muted">Relay: {status.relay.url}</div>
          </>
        )}
        <button onClick={() => void openSidePanel().catch(() => undefined)}>Open side panel</button>
      </div>
    </main>
  );
}
