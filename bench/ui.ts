/**
 * `npm run bench:ui`: how fast each surface is ready, in a real Chromium with the built extension
 * (docs/protocol/surfaces.md; issue 14's targets). Five rounds each, the median reported:
 *
 * - worker_ready_ms: the service worker stopped (DevTools' ServiceWorker.stopAllWorkers), then a page
 *   asks the agent its status (`status.get`): from the request to the answer, i.e. cold start to ready.
 * - popup_ms: `popup.html` opened (unlocked agent) → the fingerprint shown and the command box there;
 *   popup_cold_ms the same with the worker stopped first (the popup draws the last status: UIS1).
 * - palette_ms: the `open-palette` command dispatched in the worker → the palette's input focused (the
 *   page stamps the moment it focuses; both clocks are the machine's).
 * - sidepanel_ms: `sidepanel.html` opened → its first contentful paint (the page's own paint timing).
 * - the size of each bundle in `.output/chrome-mv3`.
 *
 * Builds the extension first (`npx wxt build`). Numbers depend on the machine and its load: compare
 * within one run.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import {
  CHROME_EXTENSION,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
} from '../tests/e2e/harness';

const ROUNDS = 5;
const TARGETS = { worker_ready_ms: 500, popup_ms: 150, palette_ms: 100, sidepanel_ms: 200 } as const;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
};

function bundleSizes(): Record<string, number> {
  const sizes: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(js|css|wasm)$/.test(name))
        sizes[path.relative(CHROME_EXTENSION, file)] = Math.round(statSync(file).size / 102.4) / 10;
    }
  };
  walk(CHROME_EXTENSION);
  return sizes;
}

ensureBuilt();
const profile = makeProfileDir('bench-ui');
const agent = await launchAgent(profile);
try {
  const { browser, extensionId } = agent;
  const origin = `chrome-extension://${extensionId}`;
  const workerTarget = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith(origin),
  );

  // Worker: stopped, then woken by a page's question.
  const asker = await agent.open('options');
  const cdp = await asker.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  const worker: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await cdp.send('ServiceWorker.stopAllWorkers');
    await new Promise((r) => setTimeout(r, 300));
    worker.push(
      await asker.evaluate(async () => {
        const started = performance.now();
        for (;;) {
          const reply = (await (globalThis as any).chrome.runtime
            .sendMessage({ kind: 'parley/rpc', id: crypto.randomUUID(), method: 'status.get', input: {} })
            .catch(() => undefined)) as { ok?: boolean; output?: { lock?: string } } | undefined;
          if (reply?.ok && reply.output?.lock === 'unlocked') return performance.now() - started;
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
  }

  // Popup with the worker stopped (a person's first click in a while): what it shows before the agent answers.
  const popupCold: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await cdp.send('ServiceWorker.stopAllWorkers');
    await new Promise((r) => setTimeout(r, 300));
    const page = await browser.newPage();
    const started = Date.now();
    await page.goto(`${origin}/popup.html`);
    await page.waitForSelector('[data-testid=fingerprint]');
    await page.waitForSelector('[data-testid=command-input]');
    popupCold.push(Date.now() - started);
    await page.close();
  }
  await asker.close();

  // Popup: open → fingerprint and command box.
  const popup: number[] = [];
  const popupFirstText: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const page = await browser.newPage();
    const started = Date.now();
    await page.goto(`${origin}/popup.html`);
    await page.waitForSelector('[data-testid=fingerprint]');
    await page.waitForSelector('[data-testid=command-input]');
    popup.push(Date.now() - started);
    popupFirstText.push(await firstContentfulPaint(page));
    await page.close();
  }

  // Palette: the command dispatched in the worker → the input focused.
  const palette: number[] = [];
  const serviceWorker = (await (
    await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(origin))
  ).worker())!;
  for (let i = 0; i < ROUNDS; i++) {
    const dispatched = await serviceWorker.evaluate(() => {
      const at = performance.timeOrigin + performance.now();
      (globalThis as any).chrome.commands.onCommand.dispatch('open-palette');
      return at;
    });
    const target = await browser.waitForTarget((t) => t.url().endsWith('/palette.html'));
    const page = (await target.page())!;
    await page.waitForFunction(() => document.documentElement.dataset.focusedAt);
    palette.push(Number(await page.evaluate(() => document.documentElement.dataset.focusedAt)) - dispatched);
    await page.close();
    await new Promise((r) => setTimeout(r, 200));
  }

  // Side panel: first contentful paint.
  const sidepanel: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const page = await agent.open('sidepanel');
    sidepanel.push(await firstContentfulPaint(page));
    await page.close();
  }
  void workerTarget;

  const sizes = bundleSizes();
  const result = {
    worker_ready_ms: median(worker),
    popup_ms: median(popup),
    palette_ms: median(palette),
    sidepanel_ms: median(sidepanel),
  };
  console.log('rounds (ms):', { worker, popup, popupCold, popupFirstText, palette, sidepanel });
  console.log('popup with the worker stopped (median):', median(popupCold), 'ms');
  console.log('popup first contentful paint (median):', median(popupFirstText), 'ms');
  for (const [key, target] of Object.entries(TARGETS)) {
    const value = result[key as keyof typeof result];
    console.log(
      `${key.padEnd(16)} ${String(value).padStart(7)} ms   target ≤ ${target} ms   ratio ${(value / target).toFixed(2)}${value <= target ? '' : '  (over)'}`,
    );
  }
  console.log('bundles (KB):', sizes);
  console.log(
    JSON.stringify({
      suite: 'ui',
      ...result,
      background_kb: sizes['background.js'],
      popup_cold_ms: median(popupCold),
      ratios: Object.fromEntries(
        Object.entries(TARGETS).map(([k, t]) => [
          k,
          Math.round((result[k as keyof typeof result] / t) * 100) / 100,
        ]),
      ),
      bundles_kb: sizes,
    }),
  );
} finally {
  await agent.close();
  removeProfileDir(profile);
}

/** The page's own first contentful paint (ms from its navigation start). */
async function firstContentfulPaint(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, {
    polling: 100,
  });
  return page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]!.startTime);
}
