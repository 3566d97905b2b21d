import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { AccountSection } from './account-section';
import { AssistantSection } from './assistant-section';
import type { ComponentChildren } from 'preact';
import { ErrorNote, HeadingLevel, Section } from './components';
import { CalendarSettings } from './calendar-section';
import { DataSection } from './data-section';
import { DiagnosticsSection } from './diagnostics-section';
import { t } from './i18n';
import { setPageLanguage } from './page-language';
import { PreferencesSection } from './preferences-section';
import { LockGate } from './lock-gate';
import { agent, useAgentQuery } from './rpc';

export function OptionsApp() {
  // [I18N22] The page is read (and spoken) in the language its words are in.
  useEffect(() => {
    setPageLanguage();
  }, []);
  return (
    <main class="settings">
      <header class="header">
        <h1>{t('optionsTitle')}</h1>
      </header>
      <LockGate>{() => <SettingsForm />}</LockGate>
    </main>
  );
}

function SettingsForm() {
  const { data: settings } = useAgentQuery('settings.get', {}, []);
  const [relayUrl, setRelayUrl] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [sharedEmail, setSharedEmail] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorShape>();

  const [loaded, setLoaded] = useState(false);

  // Fill the form once; later updates must not overwrite what the person is typing.
  useEffect(() => {
    if (!settings || loaded) return;
    setRelayUrl(settings.relayUrl);
    setDisplayName(settings.displayName);
    setSharedEmail(settings.sharedEmail);
    setLoaded(true);
  }, [settings, loaded]);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    try {
      await agent.call('settings.set', {
        relayUrl: relayUrl.trim(),
        displayName: displayName.trim(),
        sharedEmail: sharedEmail.trim(),
      });
      setError(undefined);
      setSaved(true);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <>
      <Group id="you" title={t('optionsGroupYou')}>
        <Section title={t('optionsYourAgent')}>
          <form class="stack" onSubmit={save}>
            <label class="stack">
              <span>{t('optionsDisplayName')}</span>
              <input
                name="displayName"
                dir="auto"
                autocomplete="name"
                value={displayName}
                onInput={(e) => setDisplayName(e.currentTarget.value)}
              />
            </label>
            <label class="stack">
              <span>{t('shareEmailLabel')}</span>
              <input
                name="sharedEmail"
                type="email"
                autocomplete="email"
                value={sharedEmail}
                onInput={(e) => setSharedEmail(e.currentTarget.value)}
              />
              <span class="muted">{t('shareEmailHint')}</span>
            </label>
            <label class="stack">
              <span>{t('optionsRelayAddress')}</span>
              <input
                name="relayUrl"
                autocomplete="url"
                value={relayUrl}
                onInput={(e) => setRelayUrl(e.currentTarget.value)}
              />
              <span class="muted">{t('optionsRelayHint')}</span>
            </label>
            <div class="row">
              <button type="submit" data-testid="settings-save">
                {t('commonSave')}
              </button>
              {saved && (
                <span class="notice" role="status" data-testid="saved">
                  {t('commonSaved')}
                </span>
              )}
            </div>
            <ErrorNote error={error} />
          </form>
        </Section>
        {settings && <AccountSection firebase={settings.firebase} />}
      </Group>
      <Group id="scheduling" title={t('optionsGroupScheduling')}>
        {settings && <CalendarSettings google={settings.google} />}
        <PreferencesSection />
        <AssistantSection />
      </Group>
      <Group id="privacy-and-data" title={t('optionsGroupPrivacy')}>
        <DataSection />
      </Group>
      <Group id="help" title={t('optionsGroupHelp')}>
        <DiagnosticsSection />
      </Group>
    </>
  );
}

/**
 * [A11Y7] Settings come in a few groups named for what the person wants to do; inside them, the parts
 * only some people need are folded (`<details class="advanced">`).
 */
function Group({ id: name, title, children }: { id: string; title: string; children: ComponentChildren }) {
  const id = `group-${name}`;
  return (
    <section class="group" aria-labelledby={id} data-testid="settings-group">
      <h2 id={id}>{title}</h2>
      <HeadingLevel.Provider value={3}>{children}</HeadingLevel.Provider>
    </section>
  );
}
