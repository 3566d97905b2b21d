import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProfileDir, PASSPHRASE, removeProfileDir, setInput, unlock } from './harness';
import { ensureLabBuilt, launchLab, saveDisplayName, type LabBrowser } from './lab';

/**
 * The vault's failure cases in a real Chromium: wrong passphrases through the
 * product's own unlock form, a record altered on disk, and a page or the whole
 * browser killed while a large atomic transaction is being written.
 */
const profiles: string[] = [];
const browsers: LabBrowser[] = [];
const newProfile = (name: string): string => {
  const dir = makeProfileDir(name);
  profiles.push(dir);
  return dir;
};
const launch = async (dir: string): Promise<LabBrowser> => {
  const lab = await launchLab(dir);
  browsers.push(lab);
  return lab;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => ensureLabBuilt());

afterAll(async () => {
  await Promise.allSettled(browsers.map((b) => b.close()));
  profiles.forEach(removeProfileDir);
});

describe('wrong passphrase, through the popup', () => {
  /** Submits the unlock form and returns the typed error it shows. */
  async function tryUnlock(popup: Page, passphrase: string) {
    await popup.$$eval('[data-testid=error]', (els) =>
      els.forEach((el) => el.setAttribute('data-stale', '')),
    );
    await setInput(popup, 'input[name=passphrase]', passphrase);
    await popup.click('[data-testid=passphrase-submit]');
    // Generous: PBKDF2 (600,000 iterations) on a busy machine can take many seconds; a hang still fails.
    const error = await popup.waitForSelector('[data-testid=error]:not([data-stale])', { timeout: 60_000 });
    const { code, message } = await error!.evaluate((el) => ({
      code: el.getAttribute('data-code'),
      message: el.textContent ?? '',
    }));
    const wait = /Try again in (\d+) s/.exec(message);
    return { code, retryAfterS: wait ? Number(wait[1]) : 0 };
  }

  it('[VLB4] gives a typed error, backs off more each time, and loses nothing', async () => {
    const dir = newProfile('vault-passphrase');
    const displayName = `Ottoline Vandersteen ${Date.now()}`;
    let lab = await launch(dir);
    const first = await lab.open('popup');
    await unlock(first);
    await saveDisplayName(lab, displayName);
    // Closing the browser locks: the keys lived in storage.session only.
    await lab.close();

    lab = await launch(dir);
    const popup = await lab.open('popup');
    await popup.waitForSelector('[data-testid=unlock-form]', { timeout: 30_000 });
    const attempts = [await tryUnlock(popup, 'wrong one'), await tryUnlock(popup, 'wrong two')];
    attempts.push(await tryUnlock(popup, PASSPHRASE)); // inside the delay: even the right one waits
    await sleep(attempts[1]!.retryAfterS * 1_000 + 200);
    attempts.push(await tryUnlock(popup, 'wrong three'));
    expect(attempts).toEqual([
      { code: 'wrong_passphrase', retryAfterS: 0 },
      { code: 'wrong_passphrase', retryAfterS: 1 },
      { code: 'unlock_throttled', retryAfterS: 1 },
      { code: 'wrong_passphrase', retryAfterS: 2 },
    ]);

    await sleep(attempts[3]!.retryAfterS * 1_000 + 200);
    await setInput(popup, 'input[name=passphrase]', PASSPHRASE);
    await popup.click('[data-testid=passphrase-submit]');
    await popup.waitForSelector('[data-testid=fingerprint]', { timeout: 20_000 });
    const options = await lab.open('options');
    await options.waitForSelector('input[name=displayName]');
    await options.waitForFunction(
      (name) => (document.querySelector('input[name=displayName]') as HTMLInputElement).value === name,
      { timeout: 10_000 },
      displayName,
    );
    await lab.close();
  });
});

describe('a record altered on disk', () => {
  it('[VLB5] is quarantined after a restart; the rest keeps working; the backup restores it', async () => {
    const lab = await launch(newProfile('vault-tamper'));
    const page = await lab.labPage();
    const backup = await page.evaluate(() => globalThis.vaultLab.tamperPrepare(40, 7));
    // A new page is a new JS context (like a restarted worker): keys come from storage.session.
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    const seen = await page.evaluate((b) => globalThis.vaultLab.tamperCheck(b, 7), backup);
    expect(seen).toEqual({
      resumed: true,
      checked: 40,
      reported: ['events/ev-000007/tag_mismatch'],
      quarantinedEvents: ['events/ev-000007'],
      afterVerify: 39,
      victimAfter: null,
      quarantine: ['events/ev-000007/tag_mismatch'],
      stillWorks: 'Lab event 100000',
      restored: { mode: 'merge', written: 1, skipped: 39 },
      victimRestored: 'Lab event 7',
    });
    await lab.close();
  });
});

describe('terminated in the middle of a transaction', () => {
  const BASE = 50;
  // ~16 MB in one transaction: the commit takes long enough to be interrupted half-way.
  const N = 2_000;
  const FILLER = 8_192;

  /**
   * Prepares a vault, starts the big transaction and returns as soon as its IndexedDB write has
   * begun (every record sealed, the puts going out) and not committed yet; the vault's name.
   * A run whose commit finished before the page could look (a fast disk, a busy main thread) would
   * prove nothing when interrupted, so it is started again on a fresh vault, up to three times.
   */
  async function startAndWaitForWrite(page: Page, prefix: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const name = `${prefix}-${attempt}`;
      await page.evaluate((a) => globalThis.vaultLab.crashPrepare(a.name, a.base), { name, base: BASE });
      await page.evaluate((a) => globalThis.vaultLab.crashStart(a.name, a.base, a.n, a.filler), {
        name,
        base: BASE,
        n: N,
        filler: FILLER,
      });
      await page.waitForFunction(() => globalThis.vaultLab.progress().phase !== 'sealing', {
        polling: 5,
        timeout: 30_000,
      });
      const { phase } = await page.evaluate(() => globalThis.vaultLab.progress());
      if (phase === 'writing') return name;
      expect(phase).toBe('committed');
      expect(attempt, 'the commit finished before it could be interrupted, three times').toBeLessThan(3);
    }
  }

  let writeMs = 0;
  let lab: LabBrowser;
  let dir = '';

  beforeAll(async () => {
    dir = newProfile('vault-crash');
    lab = await launch(dir);
  });

  it('[VLB6] an uninterrupted run commits everything (the reference)', async () => {
    const page = await lab.labPage();
    await page.evaluate((b) => globalThis.vaultLab.crashPrepare('lab-crash-ref', b), BASE);
    await page.evaluate((a) => globalThis.vaultLab.crashStart(a.name, a.base, a.n, a.filler), {
      name: 'lab-crash-ref',
      base: BASE,
      n: N,
      filler: FILLER,
    });
    await page.waitForFunction(() => globalThis.vaultLab.progress().phase === 'committed', {
      timeout: 60_000,
    });
    const { at } = await page.evaluate(() => globalThis.vaultLab.progress());
    writeMs = at.committed! - at.writing!;
    const state = await page.evaluate(() => globalThis.vaultLab.crashInspect('lab-crash-ref'));
    expect(state).toMatchObject({ events: BASE + N, audit: BASE + N, quarantined: 0 });
    console.info(
      `[VLB6] sealing ${Math.round(at.writing! - at.sealing!)} ms, IndexedDB commit ${Math.round(writeMs)} ms`,
    );
    expect(writeMs).toBeGreaterThan(100);
    await page.close();
  });

  it('[VLB6] closing the page mid-commit leaves all or nothing', async () => {
    const page = await lab.labPage();
    const name = await startAndWaitForWrite(page, 'lab-crash-page');
    await page.close();
    const after = await lab.labPage();
    const state = await after.evaluate((n) => globalThis.vaultLab.crashInspect(n), name);
    expect([BASE, BASE + N]).toContain(state.events);
    expect(state).toMatchObject({ resumed: true, audit: state.events, first: 'Lab event 0', quarantined: 0 });
    expect(state.checked).toBe(2 * state.events);
    console.info(`[VLB6] page closed mid-commit: ${state.events === BASE ? 'nothing' : 'all'} committed`);
    await after.close();
  });

  it('[VLB7] killing the browser mid-commit leaves all or nothing, and the vault locked', async () => {
    const page = await lab.labPage();
    const name = await startAndWaitForWrite(page, 'lab-crash-kill');
    await lab.kill();
    lab = await launch(dir);
    const after = await lab.labPage();
    const state = await after.evaluate((n) => globalThis.vaultLab.crashInspect(n), name);
    expect([BASE, BASE + N]).toContain(state.events);
    expect(state).toMatchObject({
      resumed: false,
      audit: state.events,
      first: 'Lab event 0',
      quarantined: 0,
    });
    expect(state.checked).toBe(2 * state.events);
    console.info(`[VLB7] browser killed mid-commit: ${state.events === BASE ? 'nothing' : 'all'} committed`);
  });
});
