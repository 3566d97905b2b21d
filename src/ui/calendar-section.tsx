import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { CalendarOverviewView, GoogleSettings } from '../rpc';
import { ErrorNote, Section } from './components';
import { agent, useAgentQuery } from './rpc';

export function ago(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return 'never';
  const minutes = Math.round((now - at) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

/** One line for the popup: how many events the agent knows and how fresh they are. */
export function CalendarLine() {
  const { data } = useAgentQuery('calendar.overview', {}, ['calendar']);
  if (!data) return null;
  if (!data.connected) return <div class="muted">Google Calendar: not connected (see settings)</div>;
  const stale = data.calendars.some((c) => c.selected && c.state !== 'ok');
  return (
    <div data-testid="calendar-line">
      Calendar: <span data-testid="calendar-events">{data.events}</span> events ·{' '}
      <span data-testid="calendar-freshness" class={stale ? 'error' : undefined}>
        {data.syncing
          ? `syncing…${data.progress ? ` ${data.progress.events} events so far` : ''}`
          : stale
            ? // [SYN11] A calendar that failed to sync is treated as busy until it syncs again (CAL3).
              `not up to date (last good sync ${ago(data.lastSyncedAt)}), treated as busy`
            : `synced ${ago(data.lastSyncedAt)}`}
      </span>
    </div>
  );
}

/** The options page's Google Calendar section: connect, choose calendars, endpoints. */
export function CalendarSettings({ google }: { google: GoogleSettings }) {
  const { data, reload } = useAgentQuery('calendar.overview', {}, ['calendar']);
  const [error, setError] = useState<ErrorShape>();
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState(google);

  const run = async (action: () => Promise<CalendarOverviewView | unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      reload();
    } catch (e) {
      setError(e as ErrorShape);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Google Calendar">
      <div class="stack">
        {data?.connected ? (
          <>
            <ul class="contacts" data-testid="calendars">
              {data.calendars.map((c) => (
                <li key={c.id}>
                  <label class="row">
                    <input
                      type="checkbox"
                      style={{ width: 'auto' }}
                      checked={c.selected}
                      onChange={(e) =>
                        run(() =>
                          agent.call('calendar.select', {
                            calendarId: c.id,
                            selected: e.currentTarget.checked,
                          }),
                        )
                      }
                    />
                    <span>
                      {c.summary} {c.primary && <span class="muted">(primary)</span>}
                      <span class="muted" data-testid="calendar-state">
                        {' '}
                        · {c.events} events ·{' '}
                        {c.state === 'ok'
                          ? `synced ${ago(c.lastSyncedAt)}`
                          : `${c.state.replace('_', ' ')}, last good sync ${ago(c.lastSyncedAt)}`}
                      </span>
                      {c.message && (
                        <span class="error" data-testid="calendar-problem">
                          {' '}
                          {c.message}
                        </span>
                      )}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
            <div class="row">
              <button
                disabled={busy}
                data-testid="calendar-sync"
                onClick={() => run(() => agent.call('calendar.sync', {}))}
              >
                Sync now
              </button>
              <button
                class="secondary"
                disabled={busy}
                onClick={() => run(() => agent.call('calendar.disconnect', {}))}
              >
                Disconnect
              </button>
            </div>
          </>
        ) : (
          <>
            <p class="muted">
              Parley reads your events and free/busy to find times, and writes only the meetings it books.
              Your calendar stays on this device, encrypted.
            </p>
            <button
              disabled={busy}
              data-testid="calendar-connect"
              onClick={() => run(() => agent.call('calendar.connect', {}))}
            >
              {busy ? 'Connecting…' : 'Connect Google Calendar'}
            </button>
          </>
        )}
        {data?.error && <p class="error">{data.error.message}</p>}
        <ErrorNote error={error} />
        <details>
          <summary class="muted" data-testid="google-endpoints-toggle">
            Google endpoints (advanced)
          </summary>
          <form
            class="stack"
            data-testid="google-endpoints"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => agent.call('settings.set', { google: fields }));
            }}
          >
            {(['clientId', 'authUrl', 'tokenUrl', 'revokeUrl', 'apiBaseUrl'] as const).map((key) => (
              <label class="stack" key={key}>
                <span class="muted">{key}</span>
                <input
                  name={`google.${key}`}
                  value={fields[key]}
                  onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })}
                />
              </label>
            ))}
            <button type="submit" class="secondary">
              Save endpoints
            </button>
          </form>
        </details>
      </div>
    </Section>
  );
}
