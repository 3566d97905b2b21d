import { z } from 'zod';
import { exportBackup, importBackup } from '../../vault';
import { actionsFor } from '../../rpc';
import type { RuntimeContext } from './context';
import { Passphrase } from './lifecycle.actions';

const action = actionsFor<RuntimeContext>();
const DAY_MS = 86_400_000;

/** The person's data: backup, restore, prune, delete everything (ACT1, DAT*). */
export const dataActions = {
  /** An encrypted, versioned backup file of everything, sealed with this passphrase. */
  'data.export': action({
    input: z.object({ passphrase: Passphrase }).strict(),
    title: 'Download an encrypted backup',
    effect: 'read',
    async run({ passphrase }, { session, vault, now }) {
      await session();
      const file = await exportBackup(vault, passphrase, now());
      return { fileName: `parley-backup-${new Date(now()).toISOString().slice(0, 10)}.json`, file };
    },
  }),
  /** Restores a backup (merge or replace); a wrong passphrase or a tampered file changes nothing. */
  'data.import': action({
    input: z
      .object({
        file: z.string().min(2).max(200_000_000),
        passphrase: Passphrase,
        mode: z.enum(['merge', 'replace']),
      })
      .strict(),
    title: 'Restore from a backup',
    effect: 'danger',
    async run({ file, passphrase, mode }, { session, vault, notify }) {
      await session();
      const report = await importBackup(vault, file, passphrase, { mode });
      await vault.clearQuarantine(); // restored from the backup
      notify('contacts');
      notify('messages');
      notify('negotiations');
      return { written: report.written, skipped: report.skipped };
    },
  }),
  /** Deletes messages and audit entries older than this many days. */
  'data.prune': action({
    input: z.object({ olderThanDays: z.number().int().min(1).max(36_500) }).strict(),
    title: 'Delete old messages and activity',
    effect: 'danger',
    async run({ olderThanDays }, { session, vault, notify }) {
      const live = await session();
      const report = await vault.prune({ olderThanMs: olderThanDays * DAY_MS });
      live.history?.prune(olderThanDays * DAY_MS);
      notify('messages');
      return { deleted: Object.values(report.deleted).reduce((a, b) => a + b, 0) };
    },
  }),
  /** Deletes every record and key on this device; the agent starts over. */
  'data.deleteAll': action({
    input: z.object({ confirm: z.literal('delete everything') }).strict(),
    title: 'Delete all your data on this device',
    effect: 'danger',
    async run(_, { vault, currentSession, stopSession, status }) {
      // [DAT3] Firebase keeps its signed-in user outside the vault: sign out, which deletes it too.
      await currentSession()?.signOutForDeletion();
      stopSession();
      await vault.deleteAllData();
      return status();
    },
  }),
};
