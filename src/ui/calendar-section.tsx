import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { requestOrigin } from '../platform';
import type { CalendarOverviewView, CalendarView, GoogleSettings } from '../rpc';
import { ErrorNote, Section } from './components';
import { formatAgo } from './dates';
import { agent, useAgentQuery } from './rpc';

/** How fresh a sync is, in the browser's language ("5 minutes ago"). */
export const ago = (at: number | undefined, now = Date.now()): string => formatAgo(at, now);

/** One line for the popup: how many events the agent knows and how fresh they are. */
export function CalendarLine() {
  const { data } = useAgentQuery('calendar.overview', {}, ['calendar']);
  if (!data) return null;
  if (!data.connected && data.calendars.length === 0)
    return <div class="muted">Calendar: none yet (connect Google or add an .ics calendar in settings)</div>;
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

/** The largest .ics file the agent reads (calendar rule ICS1); checked here first to answer at once. */
const MAX_ICS_BYTES = 5 * 1024 * 1024;

const SOURCE_LABEL: Record<CalendarView['source'], string> = {
  google: 'Google',
  file: 'imported file',
  url: 'secret address',
};

/**
 * The options page's calendar section: Google Calendar (OAuth), or without registering anything an
 * imported .ics file or a calendar's secret iCal address; which calendars count; endpoints.
 */
export function CalendarSettings({ google }: { google: GoogleSettings }) {
  const { data, reload } = useAgentQuery('calendar.overview', {}, ['calendar']);
  const [error, setError] = useState<ErrorShape>();
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState(google);
  const [address, setAddress] = useState('');
  const [note, setNote] = useState<string>();

  const run = async (action: () => Promise<CalendarOverviewView | unknown>, done?: string) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      await action();
      reload();
      if (done) setNote(done);
    } catch (e) {
      setError(e as ErrorShape);
    } finally {
      setBusy(false);
    }
  };

  const importFile = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_ICS_BYTES) {
      setError({
        code: 'calendar_file_rejected',
        message:
          'The calendar file is too large for Parley (5 MB at most). Export a shorter period, or subscribe to the calendar’s secret address instead.',
      });
      return;
    }
    void run(
      async () => agent.call('calendar.importIcs', { name: file.name, text: await file.text() }),
      `Imported ${file.name}.`,
    );
  };

  const subscribe = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const url = address.trim().replace(/^webcals?:\/\//i, 'https://');
    try {
      // The permission prompt needs this click: ask before anything else awaits (ICS8). Only this
      // calendar's origin is granted (`optional_host_permissions`).
      if (!(await requestOrigin(url)))
        throw {
          code: 'forbidden',
          message: `Parley needs your permission to read ${new URL(url).origin}. Subscribe again and allow it.`,
        };
    } catch (e) {
      setError(
        (e as ErrorShape).code
          ? (e as ErrorShape)
          : {
              code: 'bad_request',
              message:
                'That is not a web address. Copy the secret iCal address from your calendar’s settings.',
            },
      );
      return;
    }
    await run(async () => {
      await agent.call('calendar.subscribeIcs', { url });
      setAddress('');
    }, 'Subscribed. Parley reads it again every 15 minutes.');
  };

  const calendars = data?.calendars ?? [];
  const polled = data?.connected || calendars.some((c) => c.source === 'url');
  return (
    <Section title="Calendars">
      <div class="stack">
        {calendars.length > 0 && (
          <ul class="contacts" data-testid="calendars">
            {calendars.map((c) => (
              <li key={c.id} data-source={c.source}>
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
                      · {SOURCE_LABEL[c.source]} · {c.events} events ·{' '}
                      {c.state === 'ok'
                        ? `${c.source === 'file' ? 'imported' : 'synced'} ${ago(c.lastSyncedAt)}`
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
                {c.source !== 'google' && (
                  <button
                    class="secondary"
                    disabled={busy}
                    data-testid="calendar-remove"
                    onClick={() => run(() => agent.call('calendar.remove', { calendarId: c.id }))}
                  >
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {data?.connected ? (
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
              Disconnect Google
            </button>
          </div>
        ) : (
          <>
            <p class="muted">
              Parley reads your events and free/busy to find times, and writes only the meetings it books.
              Your calendar stays on this device, encrypted.
            </p>
            {/* [ICS10] Without a client id the button still answers: the agent's error explains the choices. */}
            <button
              disabled={busy}
              data-testid="calendar-connect"
              onClick={() => run(() => agent.call('calendar.connect', {}))}
            >
              {busy ? 'Working…' : 'Connect Google Calendar'}
            </button>
            {data && !data.googleConfigured && (
              <p class="muted" data-testid="google-not-configured">
                Google sign-in is not set up in this copy of Parley. You can still use your calendar: import
                an .ics file, or subscribe to its secret iCal address below.
              </p>
            )}
            {polled && (
              <button
                class="secondary"
                disabled={busy}
                data-testid="calendar-sync"
                onClick={() => run(() => agent.call('calendar.sync', {}))}
              >
                Sync now
              </button>
            )}
          </>
        )}
        <h4>Without Google</h4>
        <label class="stack">
          <span>Import a calendar file (.ics)</span>
          <input
            type="file"
            accept=".ics,text/calendar"
            disabled={busy}
            data-testid="ics-file"
            onChange={(e) => importFile(e.currentTarget)}
          />
          <span class="muted">A snapshot: it counts for 7 days, then import a fresh copy.</span>
        </label>
        <form class="stack" data-testid="ics-subscribe" onSubmit={subscribe}>
          <label class="stack">
            <span>Or subscribe to your calendar’s secret iCal address</span>
            <input
              name="icsUrl"
              type="password"
              autocomplete="off"
              placeholder="https://… or webcal://…"
              value={address}
              onInput={(e) => setAddress(e.currentTarget.value)}
            />
            <span class="muted">
              Google Calendar: Settings → your calendar → “Secret address in iCal format”. Outlook: Settings →
              Calendar → Shared calendars → Publish. Apple iCloud: share the calendar as a public calendar.
              Fastmail: Settings → Calendars → Share → iCal URL. Parley reads it every 15 minutes.
            </span>
          </label>
          <button type="submit" class="secondary" disabled={busy || !address.trim()}>
            Subscribe
          </button>
        </form>
        {note && (
          <p class="notice" data-testid="calendar-note">
            {note}
          </p>
        )}
        {data?.error && <p class="error">{data.error.message}</p>}
        <ErrorNote error={error} />
        <details class="advanced">
          <summary data-testid="google-endpoints-toggle">Google endpoints (advanced)</summary>
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
                <span class="muted">
                  {key}
                  {key === 'clientId' && ' (empty: the one this copy of Parley was built with, if any)'}
                </span>
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
