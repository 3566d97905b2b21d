import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { AccountSection } from './account-section';
import { AssistantSection } from './assistant-section';
import { ErrorNote, Section } from './components';
import { CalendarSettings } from './calendar-section';
import { DataSection } from './data-section';
import { DiagnosticsSection } from './diagnostics-section';
import { PreferencesSection } from './preferences-section';
import { LockGate } from './lock-gate';
import { agent, useAgentQuery } from './rpc';

export function OptionsApp() {
  return (
    <main style={{ maxWidth: '560px' }}>
      <header class="header">
        <h1>Parley settings</h1>
      </header>
      <LockGate>{() => <SettingsForm />}</LockGate>
    </main>
  );
}

function SettingsForm() {
  const { data: settings } = useAgentQuery('settings.get', {}, []);
  const [relayUrl, setRelayUrl] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorShape>();

  const [loaded, setLoaded] = useState(false);

  // Fill the form once; later updates must not overwrite what the person is typing.
  useEffect(() => {
    if (!settings || loaded) return;
    setRelayUrl(settings.relayUrl);
    setDisplayName(settings.displayName);
    setLoaded(true);
  }, [settings, loaded]);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    try {
      await agent.call('settings.set', { relayUrl: relayUrl.trim(), displayName: displayName.trim() });
      setError(undefined);
      setSaved(true);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <>
      <Section title="Your agent">
        <form class="stack" onSubmit={save}>
          <label class="stack">
            <span>Your name, as your contacts see it</span>
            <input
              name="displayName"
              value={displayName}
              onInput={(e) => setDisplayName(e.currentTarget.value)}
            />
          </label>
          <label class="stack">
            <span>Relay address</span>
            <input name="relayUrl" value={relayUrl} onInput={(e) => setRelayUrl(e.currentTarget.value)} />
            <span class="muted">The relay only routes sealed envelopes; it never sees what is inside.</span>
          </label>
          <div class="row">
            <button type="submit" data-testid="settings-save">
              Save
            </button>
            {saved && (
              <span class="notice" data-testid="saved">
                Saved
              </span>
            )}
          </div>
          <ErrorNote error={error} />
        </form>
      </Section>
      {settings && <AccountSection firebase={settings.firebase} />}
      {settings && <CalendarSettings google={settings.google} />}
      <PreferencesSection />
      <AssistantSection />
      <DataSection />
      <DiagnosticsSection />
    </>
  );
}
