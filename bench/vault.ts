/**
 * `npm run bench:vault`: the vault benchmark (src/vault/bench-core.ts) inside the
 * extension, in a real Chromium: 10,000 calendar events through the vault and raw
 * through idb in the same run, a one-week range query with decryption, persisting a
 * 10 MB history database, one unlock at the production PBKDF2 count.
 * Builds the lab extension first unless it is newer than the sources.
 */
import { makeProfileDir, removeProfileDir } from '../tests/e2e/harness';
import { ensureLabBuilt, launchLab } from '../tests/e2e/lab';

ensureLabBuilt();

const profile = makeProfileDir('bench-vault');
const lab = await launchLab(profile);
try {
  const tab = await lab.labPage();
  const result = await tab.evaluate(() => globalThis.vaultLab.bench());
  const breakdown = await tab.evaluate(() => globalThis.vaultLab.benchBreakdown());
  process.stdout.write(`${JSON.stringify({ env: 'chromium extension page', ...result, breakdown })}\n`);
  const {
    put_10k_ms,
    raw_put_10k_ms,
    ratio,
    week_query_ms,
    raw_week_query_ms,
    record_week_query_ms,
    week_open_ms,
    week_pages_read_ms,
    week_events,
    sqlite_persist_ms,
    unlock_ms,
  } = result;
  const last = {
    suite: 'vault',
    put_10k_ms,
    raw_put_10k_ms,
    ratio,
    // The calendar cache's listEvents(calendar, week) over day pages (ADR 0009, DPG4), and the
    // same read raw, in the same run, sides taking turns.
    week_query_ms,
    raw_week_query_ms,
    // Decrypting and decoding the week's day pages alone, without reading them; and reading
    // them alone, without decrypting them.
    week_open_ms,
    week_pages_read_ms,
    // The same week through the vault's per-event rows (one AES-GCM unit per event): the old path.
    record_week_query_ms,
    week_events,
    // Issue 12's target: the week query within 2× of the same read raw, in the same run.
    week_ratio: Math.round((week_query_ms / raw_week_query_ms) * 100) / 100,
    sqlite_persist_ms,
    unlock_ms,
  };
  process.stdout.write(`${JSON.stringify(last)}\n`);
} finally {
  await lab.close();
  removeProfileDir(profile);
}
