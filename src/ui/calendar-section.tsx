import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { requestOrigin } from '../platform';
import type { CalendarOverviewView, CalendarView, GoogleSettings } from '../rpc';
import { ErrorNote, Section, slot, withSlots } from './components';
import { formatAgo } from './dates';
import { t, type MessageKey } from './i18n';
import { plural, pluralKey } from './plural';
import { agent, useAgentQuery } from './rpc';

/** How fresh a sync is, in the browser's language ("5 minutes ago"). */
export const ago = (at: number | undefined, now = Date.now()): string => formatAgo(at, now);

/** One line for the popup: how many events the agent knows and how fresh they are. */
export function CalendarLine() {
  const { data } = useAgentQuery('calendar.overview', {}, ['calendar']);
  if (!data) return null;
  if (!data.connected && data.calendars.length === 0) return <div class="muted">{t('calendarNone')}</div>;
  const stale = data.calendars.some((c) => c.selected && c.state !== 'ok');
  return (
    <div data-testid="calendar-line">
      {withSlots(
        t(pluralKey(data.events, { one: 'calendarLineOne', other: 'calendarLineOther' }), slot(0), slot(1)),
        <span data-testid="calendar-events">{data.events}</span>,
        <span data-testid="calendar-freshness" class={stale ? 'error' : undefined}>
          {data.syncing
            ? data.progress
              ? plural(data.progress.events, {
                  one: 'calendarSyncingSoFarOne',
                  other: 'calendarSyncingSoFarOther',
                })
              : t('calendarSyncing')
            : stale
              ? // [SYN11] A calendar that failed to sync is treated as busy until it syncs again (CAL3).
                t('calendarStale', ago(data.lastSyncedAt))
              : t('calendarSynced', ago(data.lastSyncedAt))}
        </span>,
      )}
    </div>
  );
}

/** The largest .ics file the agent reads (calendar rule ICS1); checked here first to answer at once. */
const MAX_ICS_BYTES = 5 * 1024 * 1024;

const SOURCE_LABEL: Record<CalendarView['source'], () => string> = {
  google: () => 'Google',
  file: () => t('calendarSourceFile'),
  url: () => t('calendarSourceUrl'),
};

/** A calendar that is not up to date, in words, with when it last synced well. */
const STATE_TEXT: Record<Exclude<CalendarView['state'], 'ok'>, MessageKey> = {
  never_synced: 'calendarStateNeverSynced',
  degraded: 'calendarStateDegraded',
  reconnect_required: 'calendarStateReconnect',
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
        message: t('calendarFileTooLarge'),
      });
      return;
    }
    void run(
      async () => agent.call('calendar.importIcs', { name: file.name, text: await file.text() }),
      t('calendarImportedFile', file.name),
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
          message: t('calendarNeedsPermission', new URL(url).origin),
        };
    } catch (e) {
      setError(
        (e as ErrorShape).code
          ? (e as ErrorShape)
          : {
              code: 'bad_request',
              message: t('calendarNotAnAddress'),
            },
      );
      return;
    }
    await run(async () => {
      await agent.call('calendar.subscribeIcs', { url });
      setAddress('');
    }, t('calendarSubscribed'));
  };

  const calendars = data?.calendars ?? [];
  const polled = data?.connected || calendars.some((c) => c.source === 'url');
  return (
    <Section title={t('calendarTitle')}>
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
                    {c.summary} {c.primary && <span class="muted">{t('calendarPrimary')}</span>}
                    <span class="muted" data-testid="calendar-state">
                      {' '}
                      · {SOURCE_LABEL[c.source]()} ·{' '}
                      {plural(c.events, { one: 'calendarEventsOne', other: 'calendarEventsOther' })} ·{' '}
                      {c.state === 'ok'
                        ? t(c.source === 'file' ? 'calendarImported' : 'calendarSynced', ago(c.lastSyncedAt))
                        : t(STATE_TEXT[c.state], ago(c.lastSyncedAt))}
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
                    {t('calendarRemove')}
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
              {t('calendarSyncNow')}
            </button>
            <button
              class="secondary"
              disabled={busy}
              onClick={() => run(() => agent.call('calendar.disconnect', {}))}
            >
              {t('calendarDisconnect')}
            </button>
          </div>
        ) : (
          <>
            <p class="muted">{t('calendarIntro')}</p>
            {/* [ICS10] Without a client id the button still answers: the agent's error explains the choices. */}
            <button
              disabled={busy}
              data-testid="calendar-connect"
              onClick={() => run(() => agent.call('calendar.connect', {}))}
            >
              {busy ? t('commonWorking') : t('calendarConnect')}
            </button>
            {data && !data.googleConfigured && (
              <p class="muted" data-testid="google-not-configured">
                {t('calendarGoogleNotConfigured')}
              </p>
            )}
            {polled && (
              <button
                class="secondary"
                disabled={busy}
                data-testid="calendar-sync"
                onClick={() => run(() => agent.call('calendar.sync', {}))}
              >
                {t('calendarSyncNow')}
              </button>
            )}
          </>
        )}
        <h4>{t('calendarWithoutGoogle')}</h4>
        <label class="stack">
          <span>{t('calendarImportFile')}</span>
          <input
            type="file"
            accept=".ics,text/calendar"
            disabled={busy}
            data-testid="ics-file"
            onChange={(e) => importFile(e.currentTarget)}
          />
          <span class="muted">{t('calendarSnapshotHint')}</span>
        </label>
        <form class="stack" data-testid="ics-subscribe" onSubmit={subscribe}>
          <label class="stack">
            <span>{t('calendarSubscribeLabel')}</span>
            <input
              name="icsUrl"
              type="password"
              autocomplete="off"
              placeholder={t('calendarAddressExample')}
              value={address}
              onInput={(e) => setAddress(e.currentTarget.value)}
            />
            <span class="muted">{t('calendarSubscribeHint')}</span>
          </label>
          <button type="submit" class="secondary" disabled={busy || !address.trim()}>
            {t('calendarSubscribe')}
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
          <summary data-testid="google-endpoints-toggle">{t('calendarEndpoints')}</summary>
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
                  {key === 'clientId' && ` ${t('calendarClientIdHint')}`}
                </span>
                <input
                  name={`google.${key}`}
                  value={fields[key]}
                  onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })}
                />
              </label>
            ))}
            <button type="submit" class="secondary">
              {t('calendarSaveEndpoints')}
            </button>
          </form>
        </details>
      </div>
    </Section>
  );
}
