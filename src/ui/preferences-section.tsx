import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { MeetingPreferences } from '../rpc';
import { ErrorNote, Section } from './components';
import { t, uiLanguage } from './i18n';
import { agent, useAgentQuery } from './rpc';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** When meetings may happen, and what the agent may share without asking. */
export function PreferencesSection() {
  const { data } = useAgentQuery('preferences.get', {}, []);
  const [form, setForm] = useState<MeetingPreferences>();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorShape>();
  useEffect(() => {
    if (data && !form) setForm(data);
  }, [data, form]);
  if (!form) return null;

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    try {
      setForm(await agent.call('preferences.set', form));
      setError(undefined);
      setSaved(true);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  const number = (value: string) => (value === '' ? 0 : Number(value));

  return (
    <Section title={t('prefsTitle')}>
      <form class="stack" onSubmit={save} data-testid="preferences">
        <label class="stack">
          <span>{t('prefsTimeZone')}</span>
          <input
            name="timeZone"
            list="time-zones"
            autocomplete="off"
            value={form.timeZone}
            onInput={(e) => setForm({ ...form, timeZone: e.currentTarget.value })}
          />
          <datalist id="time-zones">
            {zones().map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <span class="muted">{t('prefsTimeZoneHint')}</span>
        </label>
        <fieldset class="row">
          <legend>{t('prefsWorkingHours')}</legend>
          <label class="row">
            <span>{t('prefsFrom')}</span>
            <input
              name="dayStart"
              style={{ width: '6em' }}
              value={form.dayStart}
              onInput={(e) => setForm({ ...form, dayStart: e.currentTarget.value })}
            />
          </label>
          <label class="row">
            <span>{t('prefsTo')}</span>
            <input
              name="dayEnd"
              style={{ width: '6em' }}
              value={form.dayEnd}
              onInput={(e) => setForm({ ...form, dayEnd: e.currentTarget.value })}
            />
          </label>
        </fieldset>
        <fieldset class="row wrap">
          <legend>{t('prefsWorkingDays')}</legend>
          {DAYS.map((d, i) => (
            <label key={d} class="row">
              <input
                type="checkbox"
                name="workingDays"
                value={d}
                style={{ width: 'auto' }}
                checked={form.workingDays.includes(d)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    workingDays: e.currentTarget.checked
                      ? [...form.workingDays, d]
                      : form.workingDays.filter((x) => x !== d),
                  })
                }
              />
              {weekday(i)}
            </label>
          ))}
        </fieldset>
        <label class="row">
          <input
            type="checkbox"
            name="autoDisclose"
            style={{ width: 'auto' }}
            checked={form.autoDisclose}
            onChange={(e) => setForm({ ...form, autoDisclose: e.currentTarget.checked })}
          />
          <span>{t('prefsAutoDisclose')}</span>
        </label>
        <details class="advanced" data-testid="preferences-advanced">
          <summary>{t('prefsAdvanced')}</summary>
          <div class="stack">
            <label class="row">
              <span>{t('prefsBuffer')}</span>
              <input
                type="number"
                name="bufferMin"
                min={0}
                style={{ width: '5em' }}
                value={form.bufferMin}
                onInput={(e) => setForm({ ...form, bufferMin: number(e.currentTarget.value) })}
              />
            </label>
            <label class="row">
              <span>{t('prefsNotice')}</span>
              <input
                type="number"
                name="minimumNoticeMin"
                min={0}
                style={{ width: '6em' }}
                value={form.minimumNoticeMin}
                onInput={(e) => setForm({ ...form, minimumNoticeMin: number(e.currentTarget.value) })}
              />
            </label>
          </div>
        </details>
        <div class="row">
          <button type="submit" data-testid="preferences-save">
            {t('prefsSave')}
          </button>
          {saved && (
            <span class="notice" role="status" data-testid="preferences-saved">
              {t('commonSaved')}
            </span>
          )}
        </div>
        <ErrorNote error={error} />
      </form>
    </Section>
  );
}

/** The zones `Intl` knows, for the time zone field's suggestions (none where the browser cannot list them). */
function zones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

/** Monday is day 0: its short name in the UI language ("Mon", "Mo."). 5 Jan 1970 was a Monday. */
const weekday = (mondayBased: number): string =>
  new Intl.DateTimeFormat(uiLanguage(), { weekday: 'short', timeZone: 'UTC' }).format(
    Date.UTC(1970, 0, 5 + mondayBased),
  );
