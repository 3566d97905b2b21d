import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { ErrorNote, Section } from './components';
import { t } from './i18n';
import { agent } from './rpc';

/**
 * [LOG3] What a bug report needs: the versions and the agent's recent log lines. The log holds codes,
 * counts and phases only (LOG1), so there is nothing personal in it to remove.
 */
export function DiagnosticsSection() {
  const [report, setReport] = useState<string>();
  const [error, setError] = useState<ErrorShape>();

  const collect = async () => {
    try {
      const diagnostics = await agent.call('diagnostics.get', {});
      setReport(JSON.stringify(diagnostics, null, 2));
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  const download = () => {
    if (!report) return;
    const url = URL.createObjectURL(new Blob([report], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), {
      href: url,
      download: `parley-diagnostics-${new Date().toISOString().slice(0, 10)}.json`,
    });
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Section title={t('diagTitle')}>
      <div class="stack">
        <p class="muted">{t('diagIntro')}</p>
        <div class="row">
          <button class="secondary" data-testid="diagnostics-collect" onClick={collect}>
            {t('diagShow')}
          </button>
          <button class="secondary" data-testid="diagnostics-download" disabled={!report} onClick={download}>
            {t('diagDownload')}
          </button>
        </div>
        {report && (
          <textarea readOnly rows={10} aria-label={t('diagTitle')} data-testid="diagnostics" value={report} />
        )}
        <ErrorNote error={error} />
      </div>
    </Section>
  );
}
