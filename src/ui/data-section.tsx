import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { ErrorNote, SLOT, Section, withSlot } from './components';
import { t } from './i18n';
import { plural } from './plural';
import { agent } from './rpc';

/** Backup, restore, pruning and "delete all my data" (docs/protocol.md DAT*). */
export function DataSection() {
  const [passphrase, setPassphrase] = useState('');
  const [file, setFile] = useState<File>();
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [days, setDays] = useState(365);
  const [confirm, setConfirm] = useState('');
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<ErrorShape>();

  const run = async (action: () => Promise<string>) => {
    setError(undefined);
    setNote(undefined);
    try {
      setNote(await action());
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  const exportBackup = () =>
    run(async () => {
      const { fileName, file: text } = await agent.call('data.export', { passphrase });
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
      link.click();
      URL.revokeObjectURL(url);
      return t('dataExported', fileName);
    });

  const importBackup = () =>
    run(async () => {
      if (!file) throw { code: 'bad_request', message: t('dataChooseFile') };
      const report = await agent.call('data.import', { file: await file.text(), passphrase, mode });
      return plural(report.written, { one: 'dataRestoredOne', other: 'dataRestoredOther' }, report.skipped);
    });

  return (
    <Section title={t('dataTitle')}>
      <div class="stack">
        <p class="muted">{t('dataIntro')}</p>
        <label class="stack">
          <span>{t('dataBackupPassphrase')}</span>
          <input
            type="password"
            name="backup-passphrase"
            autocomplete="new-password"
            value={passphrase}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
        </label>
        <div class="row">
          <button disabled={!passphrase} data-testid="export" onClick={exportBackup}>
            {t('dataExport')}
          </button>
        </div>
        <fieldset class="stack">
          <legend>{t('dataRestoreTitle')}</legend>
          <label class="stack">
            <span>{t('dataBackupFile')}</span>
            <input
              type="file"
              name="backup-file"
              accept="application/json"
              onChange={(e) => setFile(e.currentTarget.files?.[0])}
            />
          </label>
          <div class="row">
            <label class="row">
              <span>{t('dataRestoreMode')}</span>
              <select
                name="restore-mode"
                value={mode}
                onChange={(e) => setMode(e.currentTarget.value as 'merge' | 'replace')}
              >
                <option value="merge">{t('dataMerge')}</option>
                <option value="replace">{t('dataReplace')}</option>
              </select>
            </label>
            <button class="secondary" disabled={!passphrase || !file} onClick={importBackup}>
              {t('dataRestore')}
            </button>
          </div>
        </fieldset>
        <details class="advanced" data-testid="data-advanced">
          <summary>{t('dataAdvanced')}</summary>
          <div class="stack">
            <div class="row">
              <label class="row">
                {withSlot(
                  t('dataPruneLabel', SLOT),
                  <input
                    type="number"
                    name="prune-days"
                    min={1}
                    style={{ width: '6em' }}
                    value={days}
                    onInput={(e) => setDays(Number(e.currentTarget.value))}
                  />,
                )}
              </label>
              <button
                class="secondary"
                onClick={() =>
                  run(async () =>
                    plural((await agent.call('data.prune', { olderThanDays: days })).deleted, {
                      one: 'dataPrunedOne',
                      other: 'dataPrunedOther',
                    }),
                  )
                }
              >
                {t('dataPrune')}
              </button>
            </div>
            <label class="stack">
              <span>{t('dataDeleteLabel', t('dataDeletePhrase'))}</span>
              <input
                name="delete-confirm"
                autocomplete="off"
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
              />
            </label>
            <div class="row">
              <button
                class="danger"
                disabled={confirm !== t('dataDeletePhrase')}
                onClick={() =>
                  run(async () => {
                    await agent.call('data.deleteAll', { confirm: 'delete everything' });
                    return t('dataDeleted');
                  })
                }
              >
                {t('dataDeleteAll')}
              </button>
            </div>
          </div>
        </details>
        {note && (
          <p class="notice" role="status">
            {note}
          </p>
        )}
        <ErrorNote error={error} />
      </div>
    </Section>
  );
}
