import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { MeetingPreferences } from '../rpc';
import { ErrorNote, Section } from './components';
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
    <Section title="Meeting preferences">
      <form class="stack" onSubmit={save} data-testid="preferences">
        <label class="stack">
          <span>Time zone (IANA, e.g. Europe/London)</span>
          <input
            name="timeZone"
            value={form.timeZone}
            onInput={(e) => setForm({ ...form, timeZone: e.currentTarget.value })}
          />
        </label>
        <div class="row">
          <span>Working hours</span>
          <input
            name="dayStart"
            style={{ width: '6em' }}
            value={form.dayStart}
            onInput={(e) => setForm({ ...form, dayStart: e.currentTarget.value })}
          />
          <span>to</span>
          <input
            name="dayEnd"
            style={{ width: '6em' }}
            value={form.dayEnd}
            onInput={(e) => setForm({ ...form, dayEnd: e.currentTarget.value })}
          />
        </div>
        <div class="row">
          {DAYS.map((d) => (
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
              {d}
            </label>
          ))}
        </div>
        <div class="row">
          <span>Buffer around meetings (min)</span>
          <input
            type="number"
            min={0}
            style={{ width: '5em' }}
            value={form.bufferMin}
            onInput={(e) => setForm({ ...form, bufferMin: number(e.currentTarget.value) })}
          />
          <span>Notice (min)</span>
          <input
            type="number"
            min={0}
            style={{ width: '6em' }}
            value={form.minimumNoticeMin}
            onInput={(e) => setForm({ ...form, minimumNoticeMin: number(e.currentTarget.value) })}
          />
        </div>
        <label class="row">
          <input
            type="checkbox"
            style={{ width: 'auto' }}
            checked={form.autoDisclose}
            onChange={(e) => setForm({ ...form, autoDisclose: e.currentTarget.checked })}
          />
          <span>Share a few coarse free times with my contacts without asking each time</span>
        </label>
        <div class="row">
          <button type="submit" data-testid="preferences-save">
            Save preferences
          </button>
          {saved && (
            <span class="notice" data-testid="preferences-saved">
              Saved
            </span>
          )}
        </div>
        <ErrorNote error={error} />
      </form>
    </Section>
  );
}
