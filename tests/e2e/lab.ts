/**
 * The lab extension (`PARLEY_LAB=1 npx wxt build` → .output/lab/chrome-mv3): the
 * production extension plus test-only pages such as `vault-lab.html`. Used by the
 * vault e2e tests and bench/vault.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { VaultLabApi } from '../../entrypoints/vault-lab/lab-api';
import { CHROMIUM, QUIET_FLAGS as FLAGS, ROOT, setInput } from './harness';

export const LAB_EXTENSION = path.join(ROOT, '.output/lab/chrome-mv3');

/** When the newest input of the lab build changed (sources, entry points, config, lockfile). */
function newestInput(): number {
  let newest = 0;
  for (const dir of ['src', 'entrypoints', 'assets']) {
    for (const rel of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      newest = Math.max(newest, statSync(path.join(ROOT, dir, rel)).mtimeMs);
    }
  }
  for (const file of ['wxt.config.ts', 'package-lock.json']) {
    newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the lab extension when it is missing or older than its inputs (each vault
 * test file would otherwise rebuild it); `PARLEY_SKIP_BUILD=1` trusts an existing build.
 */
export function ensureLabBuilt(): void {
  const page = path.join(LAB_EXTENSION, 'vault-lab.html');
  if (existsSync(page) && (process.env.PARLEY_SKIP_BUILD === '1' || statSync(page).mtimeMs > newestInput())) {
    return;
  }
  execFileSync('npx', ['wxt', 'build'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, PARLEY_LAB: '1' },
  });
}

declare global {
  // The lab page's global (entrypoints/vault-lab/main.ts).
  var vaultLab: VaultLabApi;
}

export interface LabBrowser {
  readonly browser: Browser;
  readonly extensionId: string;
  /** A fresh vault-lab page, loaded and ready. */
  labPage(): Promise<Page>;
  open(page: 'popup' | 'sidepanel' | 'options'): Promise<Page>;
  close(): Promise<void>;
  /** SIGKILL to the whole browser process group: no shutdown, no flush, like a crash. */
  kill(): Promise<void>;
}

/** A real Chromium with the lab extension; the product's passphrase form is left alone. */
export async function launchLab(userDataDir: string, extension = LAB_EXTENSION): Promise<LabBrowser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir,
    enableExtensions: [extension],
    args: FLAGS,
  });
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  const extensionId = new URL(target.url()).host;
  const open = async (name: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`chrome-extension://${extensionId}/${name}.html`);
    return page;
  };
  return {
    browser,
    extensionId,
    async labPage() {
      const page = await open('vault-lab');
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      return page;
    },
    open,
    close: () => browser.close(),
    async kill() {
      const child = browser.process();
      if (!child?.pid) throw new Error('no browser process to kill');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // puppeteer starts Chromium as a process-group leader: this ends its helpers too.
      process.kill(-child.pid, 'SIGKILL');
      await exited;
      browser.disconnect().catch(() => undefined);
    },
  };
}

/** Every regular file under `dir`, recursively, with its bytes. */
export function readTree(dir: string): { file: string; bytes: Buffer }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => path.join(dir, rel))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

/** Through the options page, as a person would; fails with the page's error if it shows one. */
export async function saveDisplayName(lab: LabBrowser, name: string): Promise<void> {
  const page = await lab.open('options');
  await page.waitForSelector('input[name=displayName]');
  await page.waitForFunction(
    () => (document.querySelector('input[name=relayUrl]') as HTMLInputElement).value,
  );
  await setInput(page, 'input[name=displayName]', name);
  await page.click('button[type=submit]');
  const outcome = await page.waitForSelector('[data-testid=saved], [data-testid=error]');
  const error = await outcome!.evaluate((el) => (el.matches('[data-testid=error]') ? el.textContent : null));
  if (error !== null) throw new Error(`the options page refused the display name: ${error}`);
  await page.close();
}
