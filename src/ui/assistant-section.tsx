import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { requestOrigin } from '../platform';
import type { AssistantSettings } from '../rpc';
import { ErrorNote, Section } from './components';
import { formatDateTime } from './dates';
import { t } from './i18n';
import { agent, useAgentQuery } from './rpc';

/**
 * How the agent understands what the person types: no model (the built-in parser), any OpenAI-compatible
 * endpoint (its origin asked for at run time, its key kept in the vault), or Chrome's on-device model.
 */
export function AssistantSection() {
  const { data: status, reload } = useAgentQuery('assistant.status', {}, ['status']);
  const [form, setForm] = useState<AssistantSettings>();
  const [apiKey, setApiKey] = useState('');
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<ErrorShape>();
  useEffect(() => {
    if (status && !form) setForm({ provider: status.provider, baseUrl: status.baseUrl, model: status.model });
  }, [status, form]);
  if (!form || !status) return null;

  const save = async (event: Event) => {
    event.preventDefault();
    setNote(undefined);
    setError(undefined);
    try {
      // The permission prompt needs this click: ask before anything else awaits.
      if (form.provider === 'openai' && !(await requestOrigin(form.baseUrl))) {
        throw {
          code: 'forbidden',
          message: t('assistantNeedsPermission', new URL(form.baseUrl).origin),
        };
      }
      await agent.call('settings.set', { assistant: form });
      if (apiKey) await agent.call('assistant.setKey', { apiKey });
      setApiKey('');
      reload();
      setNote(t('commonSavedSentence'));
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <Section title={t('assistantTitle')}>
      <form class="stack" onSubmit={save} data-testid="assistant-settings">
        <fieldset class="stack">
          <legend>{t('assistantHow')}</legend>
          {(
            [
              ['builtin', 'assistantBuiltin'],
              ['openai', 'assistantOpenai'],
              ['on-device', 'assistantOnDevice'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} class="row">
              <input
                type="radio"
                name="provider"
                value={value}
                checked={form.provider === value}
                onChange={() => setForm({ ...form, provider: value })}
              />
              <span>{t(label)}</span>
            </label>
          ))}
        </fieldset>
        {form.provider === 'openai' && (
          <>
            <label class="stack">
              <span>{t('assistantBaseUrl')}</span>
              <input
                name="baseUrl"
                value={form.baseUrl}
                onInput={(e) => setForm({ ...form, baseUrl: e.currentTarget.value })}
              />
            </label>
            <label class="stack">
              <span>{t('assistantModel')}</span>
              <input
                name="model"
                value={form.model}
                onInput={(e) => setForm({ ...form, model: e.currentTarget.value })}
              />
            </label>
            <label class="stack">
              <span>{status.hasKey ? t('assistantApiKeySaved') : t('assistantApiKey')}</span>
              <input
                type="password"
                name="apiKey"
                autocomplete="off"
                value={apiKey}
                onInput={(e) => setApiKey(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <div class="row">
          <button type="submit" data-testid="assistant-save">
            {t('commonSave')}
          </button>
          {status.hasKey && (
            <button
              type="button"
              class="secondary"
              onClick={() => void agent.call('assistant.setKey', { apiKey: '' }).then(reload, setError)}
            >
              {t('assistantForgetKey')}
            </button>
          )}
        </div>
        {note && (
          <p class="notice" role="status">
            {note}
          </p>
        )}
        <ErrorNote error={error} />
      </form>
      <ModelRequests />
    </Section>
  );
}

/** [AST10] Exactly what a cloud model received, newest first: the person's words with names replaced. */
function ModelRequests() {
  const { data } = useAgentQuery('assistant.requests', {}, ['status']);
  if (!data?.length) return null;
  return (
    <details class="safety" data-testid="model-requests">
      <summary class="muted">{t('assistantRequests', data.length)}</summary>
      <ul class="contacts">
        {data.map((r) => (
          <li key={`${r.at}-${r.text}`} data-testid="model-request">
            <span class="muted">
              {formatDateTime(r.at)} · {r.model}
            </span>
            <div class="mono">{r.text}</div>
          </li>
        ))}
      </ul>
    </details>
  );
}
