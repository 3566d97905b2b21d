import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { createLogger, errorFields } from '../log';
import { openOptionsPage, openSidePanel } from '../platform';
import { CalendarLine } from './calendar-section';
import { AssistantLine, CommandBox } from './command-box';
import { ErrorNote, RelayDot, relayAccountProblem } from './components';
import { PendingApprovals } from './meetings-section';
import { t } from './i18n';
import { LockGate } from './lock-gate';
import { plural, pluralKey } from './plural';
import { agent } from './rpc';

const log = createLogger('ui').child('popup');

/** Opening another surface failed (the browser has no side panel, the popup lost focus): say so. */
const couldNotOpen =
  (what: 'side_panel' | 'settings', setError: (e: ErrorShape) => void) =>
  (error: unknown): void => {
    log.warn('open_failed', { what, ...errorFields(error) });
    setError({
      code: 'internal',
      message: t(what === 'side_panel' ? 'popupCouldNotOpenSidePanel' : 'popupCouldNotOpenSettings'),
    });
  };

export function PopupApp() {
  const [error, setError] = useState<ErrorShape>();
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
                {plural(quarantined, { one: 'popupQuarantinedOne', other: 'popupQuarantinedOther' })}
              </p>
            ) : null}
            {/* [HOM4] The agent's state at a glance: unlocked, relay, calendar, model. */}
            <ul class="status-grid" data-testid="status" aria-label={t('popupStatusLabel')}>
              <li data-testid="status-lock" data-state="unlocked">
                <span>{t('popupUnlocked')}</span>
                <button
                  class="secondary"
                  data-testid="lock"
                  onClick={() => void agent.call('vault.lock', {}).catch(setError)}
                >
                  {t('popupLock')}
                </button>
              </li>
              <li data-testid="status-relay" data-state={status.relay.connected ? 'connected' : 'offline'}>
                <RelayDot connected={status.relay.connected} lastError={status.relay.lastError} />
                <span class="muted status-detail">{status.relay.url}</span>
              </li>
              <li data-testid="status-calendar">
                <CalendarLine />
              </li>
              <li data-testid="status-model">
                <AssistantLine />
              </li>
            </ul>
            <RelayAccountProblem lastError={status.relay.lastError} />
            <PendingApprovals />
            <CommandBox />
            <details>
              <summary class="muted">
                <span data-testid="contact-count">{status.contacts}</span>{' '}
                {t(pluralKey(status.contacts, { one: 'popupContactsOne', other: 'popupContactsOther' }))}
              </summary>
              <div class="mono" data-testid="fingerprint">
                {status.fingerprint}
              </div>
            </details>
            <div class="row">
              <button onClick={() => void openSidePanel().catch(couldNotOpen('side_panel', setError))}>
                {t('popupOpenSidePanel')}
              </button>
            </div>
            <ErrorNote error={error} />
          </div>
        )}
      </LockGate>
    </main>
  );
}

/** The relay refuses this agent's account: say why, and open the page where it is fixed. */
function RelayAccountProblem({ lastError }: { lastError?: string }) {
  const [error, setError] = useState<ErrorShape>();
  const problem = relayAccountProblem(lastError);
  if (!problem) return null;
  return (
    <div class="stack" data-testid="relay-account-problem" data-code={lastError}>
      <p class="error">{problem}</p>
      <button
        class="secondary"
        data-testid="open-account"
        onClick={() => void openOptionsPage().catch(couldNotOpen('settings', setError))}
      >
        {t('popupOpenSettings')}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}
