import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { ErrorNote, Section } from './components';
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
      return `Saved ${fileName}. Keep the passphrase: the file cannot be opened without it.`;
    });

  const importBackup = () =>
    run(async () => {
      if (!file) throw { code: 'bad_request', message: 'Choose a backup file first.' };
      const report = await agent.call('data.import', { file: await file.text(), passphrase, mode });
      return `Restored ${report.written} records (${report.skipped} already here).`;
    });

  return (
    <Section title="Your data">
      <div class="stack">
        <p class="muted">
          Everything Parley keeps is on this device, encrypted. A backup is one encrypted file, sealed with
          the passphrase you type here.
        </p>
        <label class="stack">
          <span>Backup passphrase</span>
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
            Export a backup
          </button>
        </div>
        <fieldset class="stack">
          <legend>Restore a backup</legend>
          <label class="stack">
            <span>Backup file</span>
            <input
              type="file"
              name="backup-file"
              accept="application/json"
              onChange={(e) => setFile(e.currentTarget.files?.[0])}
            />
          </label>
          <div class="row">
            <label class="row">
              <span>With what is here:</span>
              <select
                name="restore-mode"
                value={mode}
                onChange={(e) => setMode(e.currentTarget.value as 'merge' | 'replace')}
              >
                <option value="merge">merge</option>
                <option value="replace">replace</option>
              </select>
            </label>
            <button class="secondary" disabled={!passphrase || !file} onClick={importBackup}>
              Restore
            </button>
          </div>
        </fieldset>
        <details class="advanced" data-testid="data-advanced">
          <summary>Delete old messages, or everything</summary>
          <div class="stack">
            <div class="row">
              <label class="row">
                <span>Delete messages older than</span>
                <input
                  type="number"
                  name="prune-days"
                  min={1}
                  style={{ width: '6em' }}
                  value={days}
                  onInput={(e) => setDays(Number(e.currentTarget.value))}
                />
                <span>days</span>
              </label>
              <button
                class="secondary"
                onClick={() =>
                  run(
                    async () =>
                      `Deleted ${(await agent.call('data.prune', { olderThanDays: days })).deleted} old records.`,
                  )
                }
              >
                Prune
              </button>
            </div>
            <label class="stack">
              <span>To delete everything Parley keeps, type “delete everything”</span>
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
                disabled={confirm !== 'delete everything'}
                onClick={() =>
                  run(async () => {
                    await agent.call('data.deleteAll', { confirm: 'delete everything' });
                    return 'Everything was deleted. Parley starts over.';
                  })
                }
              >
                Delete all my data
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
