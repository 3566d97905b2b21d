import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { AccountView, FirebaseSettings } from '../rpc';
import { ErrorNote, Section, relayAccountProblem } from './components';
import { agent, useAgentQuery } from './rpc';

const FIELDS: readonly { key: keyof FirebaseSettings; label: string; placeholder: string }[] = [
  { key: 'apiKey', label: 'Web API key', placeholder: 'AIza…' },
  { key: 'projectId', label: 'Project id', placeholder: 'my-project' },
  { key: 'authDomain', label: 'Auth domain (optional)', placeholder: 'my-project.firebaseapp.com' },
  { key: 'emulatorUrl', label: 'Auth emulator (development only)', placeholder: 'http://127.0.0.1:9099' },
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
    <Section title="Account">
      <div class="stack" data-testid="account">
        <AccountLine account={account} />
        {account?.configured && !account.user && (
          <form class="stack" data-testid="account-form" onSubmit={signIn(false)}>
            <input
              type="email"
              name="account.email"
              aria-label="Email"
              autocomplete="username"
              placeholder="Email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
            <input
              type="password"
              name="account.password"
              aria-label="Password"
              autocomplete="current-password"
              placeholder="Password (at least 6 characters)"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            <div class="row">
              <button type="submit" disabled={busy || !email || !password} data-testid="account-signin">
                {busy ? 'Working…' : 'Sign in'}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy || !email || !password}
                data-testid="account-create"
                onClick={signIn(true)}
              >
                Create account
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
              Sign out
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
              The relay accepted your sign-in.
            </p>
          )
        )}
        <ErrorNote error={error} />
        <details open={!account?.configured}>
          <summary class="muted">Firebase project</summary>
          <form class="stack" data-testid="firebase-settings" onSubmit={saveSettings}>
            <p class="muted">
              Needed only when your relay asks for sign-in; its operator gives you these values. Leave the key
              and project empty to turn Firebase off.
            </p>
            {FIELDS.map(({ key, label, placeholder }) => (
              <label class="stack" key={key}>
                <span class="muted">{label}</span>
                <input
                  name={`firebase.${key}`}
                  placeholder={placeholder}
                  value={fields[key]}
                  onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })}
                />
              </label>
            ))}
            <div class="row">
              <button type="submit" class="secondary" disabled={busy} data-testid="firebase-save">
                Save Firebase settings
              </button>
              {saved && (
                <span class="notice" data-testid="firebase-saved">
                  Saved
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
        Firebase sign-in is off. Relays that do not ask for an account work without it.
      </p>
    );
  }
  if (!account.user) {
    return (
      <p data-testid="account-state" data-state="signed-out">
        Not signed in{account.emulator ? ' (Auth emulator)' : ''}.
      </p>
    );
  }
  return (
    <p data-testid="account-state" data-state="signed-in">
      Signed in as <strong data-testid="account-email">{account.user.email ?? account.user.uid}</strong>
      {account.emulator ? ' (Auth emulator)' : ''}
    </p>
  );
}
