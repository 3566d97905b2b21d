import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { RpcOutput } from '../rpc';
import { AssistantSection } from './assistant-section';
import { CalendarSettings } from './calendar-section';
import { ErrorNote } from './components';
import { t } from './i18n';
import { agent, useAgentQuery } from './rpc';

/** The steps of the first run, the passphrase first (docs/protocol/interface-home.md ONB1). */
export const STEPS = [
  { id: 'passphrase', label: 'onboardingStepPassphrase' },
  { id: 'name', label: 'onboardingStepName' },
  { id: 'relay', label: 'onboardingStepRelay' },
  { id: 'calendar', label: 'onboardingStepCalendar' },
  { id: 'model', label: 'onboardingStepModel' },
] as const;
export type Step = Exclude<(typeof STEPS)[number]['id'], 'passphrase'> | 'done';

/** The browser's own defaults: its time zone and language (ONB3). */
export function browserDefaults(): { timeZone: string; locale: string } {
  const options = Intl.DateTimeFormat().resolvedOptions();
  return { timeZone: options.timeZone || 'UTC', locale: options.locale || navigator.language };
}

/** Which step of how many, and the steps by name: the person sees how far the first run goes. */
export function StepHeader({ current }: { current: (typeof STEPS)[number]['id'] }) {
  const index = STEPS.findIndex((s) => s.id === current);
  return (
    <nav aria-label={t('onboardingStepsLabel')} class="onboarding-steps" data-testid="onboarding-steps">
      <p class="muted">{t('onboardingStepOf', index + 1, STEPS.length)}</p>
      <ol>
        {STEPS.map((s, i) => (
          <li
            key={s.id}
            aria-current={i === index ? 'step' : undefined}
            class={i < index ? 'done' : undefined}
          >
            {t('onboardingStepItem', i + 1, t(s.label))}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** What Parley is, said once, above the passphrase of the first run. */
export function Welcome() {
  return (
    <div class="stack" data-testid="onboarding-welcome">
      <h2>{t('onboardingWelcome')}</h2>
      <p>{t('onboardingWhatIsParley')}</p>
    </div>
  );
}

/**
 * [ONB1][ONB2] The guided first run after the passphrase: your name, the relay (checked), the calendar and
 * the model. Every step can be skipped, and the whole run too; the step reached is kept in the vault, so a
 * closed popup resumes where it was.
 */
export function Onboarding({ step, onStep }: { step: Exclude<Step, 'done'>; onStep: (next: Step) => void }) {
  const [error, setError] = useState<ErrorShape>();
  const order: Step[] = ['name', 'relay', 'calendar', 'model', 'done'];
  const go = async (next: Step) => {
    setError(undefined);
    try {
      await agent.call('onboarding.set', { step: next });
      onStep(next);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  const next = () => go(order[order.indexOf(step) + 1] ?? 'done');

  return (
    <div class="section stack onboarding" data-testid="onboarding" data-step={step}>
      <StepHeader current={step} />
      {step === 'name' && <NameStep onNext={next} />}
      {step === 'relay' && <RelayStep onNext={next} />}
      {step === 'calendar' && (
        <StepBody
          title={t('onboardingCalendarTitle')}
          onNext={next}
          nextLabel={t('onboardingNext')}
          intro={t('onboardingCalendarIntro')}
        >
          <CalendarStep />
        </StepBody>
      )}
      {step === 'model' && (
        <StepBody
          title={t('onboardingModelTitle')}
          onNext={next}
          nextLabel={t('onboardingFinish')}
          intro={t('onboardingModelIntro')}
        >
          <AssistantSection />
        </StepBody>
      )}
      <div class="row">
        {step !== 'model' && (
          <button
            type="button"
            class="secondary"
            data-testid="onboarding-next-skip"
            onClick={() => void next()}
          >
            {t('onboardingSkipStep')}
          </button>
        )}
        <button type="button" class="secondary" data-testid="onboarding-skip" onClick={() => void go('done')}>
          {t('onboardingSkipSetup')}
        </button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

function StepBody({
  title,
  intro,
  onNext,
  nextLabel,
  children,
}: {
  title: string;
  intro: string;
  onNext: () => void;
  nextLabel: string;
  children: ComponentChildren;
}) {
  return (
    <div class="stack">
      <h2>{title}</h2>
      <p class="muted">{intro}</p>
      {children}
      <button type="button" data-testid="onboarding-next" onClick={onNext}>
        {nextLabel}
      </button>
    </div>
  );
}

function CalendarStep() {
  const { data: settings } = useAgentQuery('settings.get', {}, ['status']);
  return settings ? <CalendarSettings google={settings.google} /> : null;
}

/** Your name as contacts see it, and the time zone and language taken from the browser (ONB3). */
function NameStep({ onNext }: { onNext: () => void }) {
  const { data: settings } = useAgentQuery('settings.get', {}, ['status']);
  const defaults = browserDefaults();
  const [name, setName] = useState<string>();
  const [timeZone, setTimeZone] = useState(defaults.timeZone);
  const [error, setError] = useState<ErrorShape>();
  useEffect(() => {
    if (settings && name === undefined) setName(settings.displayName);
  }, [settings, name]);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await agent.call('settings.set', { displayName: name ?? '' });
      const preferences = await agent.call('preferences.get', {});
      if (preferences.timeZone !== timeZone)
        await agent.call('preferences.set', { ...preferences, timeZone });
      onNext();
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  const sample = new Intl.DateTimeFormat(defaults.locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(Date.now());

  return (
    <form class="stack" onSubmit={save} data-testid="onboarding-name">
      <h2>{t('onboardingStepName')}</h2>
      <label class="stack">
        <span>{t('onboardingNameLabel')}</span>
        <input
          name="onboarding.displayName"
          autocomplete="name"
          maxLength={60}
          value={name ?? ''}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label class="stack">
        <span>{t('onboardingTimeZoneLabel')}</span>
        <input
          name="onboarding.timeZone"
          data-testid="onboarding-timezone"
          value={timeZone}
          onInput={(e) => setTimeZone(e.currentTarget.value)}
        />
      </label>
      <p class="muted" data-testid="onboarding-locale" data-locale={defaults.locale}>
        {t('onboardingLocaleSample', defaults.locale, sample)}
      </p>
      <button type="submit" data-testid="onboarding-next" disabled={!name?.trim()}>
        {t('onboardingNext')}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** [CLR2] The relay, checked before it is saved: an address that does not answer says why. */
function RelayStep({ onNext }: { onNext: () => void }) {
  const { data: settings } = useAgentQuery('settings.get', {}, ['status']);
  const [url, setUrl] = useState<string>();
  const [check, setCheck] = useState<RpcOutput<'relay.check'>>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape>();
  useEffect(() => {
    if (settings && url === undefined) setUrl(settings.relayUrl);
  }, [settings, url]);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setCheck(undefined);
    try {
      const result = await agent.call('relay.check', { url: url ?? '' });
      setCheck(result);
      if (result.ok) {
        await agent.call('settings.set', { relayUrl: result.url });
        onNext();
      }
    } catch (e) {
      setError(e as ErrorShape);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack" onSubmit={save} data-testid="onboarding-relay">
      <h2>{t('onboardingRelayTitle')}</h2>
      <p class="muted">{t('onboardingRelayIntro')}</p>
      <label class="stack">
        <span>{t('onboardingRelayLabel')}</span>
        <input
          name="onboarding.relayUrl"
          inputMode="url"
          value={url ?? ''}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </label>
      <button type="submit" data-testid="onboarding-next" disabled={busy || !url?.trim()}>
        {busy ? t('onboardingChecking') : t('onboardingCheckContinue')}
      </button>
      {check && !check.ok && (
        <p class="error" role="alert" data-testid="relay-check-problem" data-problem={check.problem}>
          {check.message}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}
