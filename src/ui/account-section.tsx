import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { AccountView, FirebaseSettings } from '../rpc';
import { ErrorNote, SLOT, Section, relayAccountProblem, withSlot } from './components';
import { t, type MessageKey } from './i18n';
import { agent, useAgentQuery } from './rpc';

const FIELDS: readonly { key: keyof FirebaseSettings; label: MessageKey; placeholder: () => string }[] = [
  { key: 'apiKey', label: 'accountApiKey', placeholder: () => t('accountApiKeyExample') },
  { key: 'projectId', label: 'accountProjectId', placeholder: () => 'my-project' },
  { key: 'authDomain', label: 'accountAuthDomain', placeholder: () => 'my-project.firebaseapp.com' },
  { key: 'emulatorUrl', label: 'accountEmulator', placeholder: () => 'http://127.0.0.1:9099' },
];

/**
 * The options page's Account section: the Firebase project (a relay started with
 * FIREBASE_PROJECT_ID asks for it), email + password sign-in or account creation, and sign-out.
 * The password goes to the agent once and is cleared from the form.
 */
export function AccountSection({ firebase }: { firebase: FirebaseSettings }) {
  const { data: account, reload } = useAgentQuery('account.status', {}, ['account']);
  const { data: status } = useAgentQuery('status.get', {}, ['status']);
  const [fields, setFields] = useState(firebase);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorShape>();

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await action();
      reload();
      return true;
    } catch (e) {
      setError(e as ErrorShape);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const saveSettings = (event: Event) => {
    event.preventDefault();
    const trimmed = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, (v as string).trim()]),
    ) as unknown as FirebaseSettings;
    void run(() => agent.call('settings.set', { firebase: trimmed })).then((ok) => setSaved(ok));
  };

  const signIn = (create: boolean) => (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await agent.call('account.signIn', { email: email.trim(), password, create });
      setPassword('');
    });
  };

  const relay = status?.agent?.relay;
  const problem = relayAccountProblem(relay?.lastError);

  return (
    <Section title={t('accountTitle')}>
      <div class="stack" data-testid="account">
        <AccountLine account={account} />
        {account?.configured && !account.user && (
          <form class="stack" data-testid="account-form" onSubmit={signIn(false)}>
            <input
              type="email"
              name="account.email"
              aria-label={t('accountEmail')}
              autocomplete="username"
              placeholder={t('accountEmail')}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
            <input
              type="password"
              name="account.password"
              aria-label={t('accountPassword')}
              autocomplete="current-password"
              placeholder={t('accountPasswordHint')}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            <div class="row">
              <button type="submit" disabled={busy || !email || !password} data-testid="account-signin">
                {busy ? t('commonWorking') : t('accountSignIn')}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy || !email || !password}
                data-testid="account-create"
                onClick={signIn(true)}
              >
                {t('accountCreate')}
              </button>
            </div>
          </form>
        )}
        {account?.user && (
          <div class="row">
            <button
              class="secondary"
              disabled={busy}
              data-testid="account-signout"
              onClick={() => void run(() => agent.call('account.signOut', {}))}
            >
              {t('accountSignOut')}
            </button>
          </div>
        )}
        {problem ? (
          <p class="error" data-testid="account-relay-problem" data-code={relay?.lastError}>
            {problem}
          </p>
        ) : (
          account?.user &&
          relay?.connected && (
            <p class="notice" data-testid="account-relay-ok">
              {t('accountRelayAccepted')}
            </p>
          )
        )}
        <ErrorNote error={error} />
        <details open={!account?.configured}>
          <summary class="muted">{t('accountFirebaseProject')}</summary>
          <form class="stack" data-testid="firebase-settings" onSubmit={saveSettings}>
            <p class="muted">{t('accountFirebaseIntro')}</p>
            {FIELDS.map(({ key, label, placeholder }) => (
              <label class="stack" key={key}>
                <span class="muted">{t(label)}</span>
                <input
                  name={`firebase.${key}`}
                  placeholder={placeholder()}
                  value={fields[key]}
                  onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })}
                />
              </label>
            ))}
            <div class="row">
              <button type="submit" class="secondary" disabled={busy} data-testid="firebase-save">
                {t('accountSaveFirebase')}
              </button>
              {saved && (
                <span class="notice" data-testid="firebase-saved">
                  {t('commonSaved')}
                </span>
              )}
            </div>
          </form>
        </details>
      </div>
    </Section>
  );
}

function AccountLine({ account }: { account: AccountView | undefined }) {
  if (!account) return null;
  if (!account.configured) {
    return (
      <p class="muted" data-testid="account-state" data-state="off">
        {t('accountOff')}
      </p>
    );
  }
  if (!account.user) {
    return (
      <p data-testid="account-state" data-state="signed-out">
        {account.emulator ? t('accountSignedOutEmulator') : t('accountSignedOut')}
      </p>
    );
  }
  return (
    <p data-testid="account-state" data-state="signed-in">
      {withSlot(
        account.emulator ? t('accountSignedInEmulator', SLOT) : t('accountSignedIn', SLOT),
        <strong data-testid="account-email">{account.user.email ?? account.user.uid}</strong>,
      )}
    </p>
  );
}
