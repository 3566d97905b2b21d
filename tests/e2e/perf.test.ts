import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROME_EXTENSION,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  rpc,
  type AgentBrowser,
} from './harness';

/**
 * What makes the popup and the palette quick (docs/protocol/surfaces.md PERF1, PERF3), on the built
 * extension: what each page loads, and that the popup draws from what the browser keeps before the agent
 * answers. Sizes and orderings only; `npm run bench:ui` measures the times.
 */
let agent: AgentBrowser;
const profile = makeProfileDir('perf');

beforeAll(async () => {
  ensureBuilt();
  agent = await launchAgent(profile);
}, 120_000);

afterAll(async () => {
  await agent?.close();
  removeProfileDir(profile);
});

/** The scripts a page of the build loads at once: its module script and the chunks it preloads. */
function scriptsOf(page: string): string[] {
  const html = readFileSync(path.join(CHROME_EXTENSION, `${page}.html`), 'utf8');
  return [...html.matchAll(/(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1]!);
}
const bytes = (files: string[]) =>
  files.reduce((n, f) => n + statSync(path.join(CHROME_EXTENSION, f)).size, 0);
const text = (files: string[]) =>
  files.map((f) => readFileSync(path.join(CHROME_EXTENSION, f), 'utf8')).join('\n');

describe('interface speed', () => {
  it('[PERF1] each page loads its own code only: no zod, no other page, the palette and the popup within their budgets', () => {
    // zod's schemas build classes by name; the background, which validates, has them (the probe works).
    const ZOD = /"ZodObject"|\$ZodObject/;
    expect(ZOD.test(readFileSync(path.join(CHROME_EXTENSION, 'background.js'), 'utf8'))).toBe(true);
    const pages = ['popup', 'palette', 'sidepanel', 'options'] as const;
    const loaded = Object.fromEntries(pages.map((p) => [p, scriptsOf(p)])) as Record<
      (typeof pages)[number],
      string[]
    >;
    for (const page of pages) {
      expect(loaded[page].length).toBeGreaterThan(0);
      expect({ page, zod: ZOD.test(text(loaded[page])) }).toEqual({ page, zod: false });
    }
    // The palette carries no other page's parts (the popup's fingerprint, the side panel's invite card).
    expect(text(loaded.palette)).not.toMatch(/"fingerprint"|"invite-card"|"activity-items"/);
    expect(text(loaded.popup)).not.toMatch(/"palette-input"|"invite-card"|"activity-items"/);
    expect(bytes(loaded.palette)).toBeLessThan(80 * 1024);
    expect(bytes(loaded.popup)).toBeLessThan(100 * 1024);
  });

  it('[PERF3] [UIS1] the popup draws its status, fingerprint and command box before the agent answers anything', async () => {
    // A popup opened once leaves the status glance and the finished first run in storage.session.
    const first = await agent.open('popup');
    await first.waitForSelector('[data-testid=fingerprint]');
    const fingerprint = await first.$eval('[data-testid=fingerprint]', (el) => el.textContent);
    const status = await rpc(first, 'status.get', {});
    expect(fingerprint).toBe(status.output.agent.fingerprint);
    await first.close();

    // The next popup: every question to the agent is held unanswered (a worker still starting).
    const page = await agent.browser.newPage();
    await page.evaluateOnNewDocument(() => {
      const held: string[] = [];
      (globalThis as any).__held = held;
      const runtime = (globalThis as any).chrome.runtime;
      const send = runtime.sendMessage.bind(runtime);
      runtime.sendMessage = (message: { kind?: string; method?: string }, ...rest: unknown[]) => {
        if (message?.kind === 'parley/rpc') {
          held.push(message.method ?? '');
          return new Promise(() => undefined);
        }
        return send(message, ...rest);
      };
    });
    await page.goto(`chrome-extension://${agent.extensionId}/popup.html`);
    await page.waitForSelector('[data-testid=fingerprint]');
    await page.waitForSelector('[data-testid=command-input]');
    expect(await page.$eval('[data-testid=fingerprint]', (el) => el.textContent)).toBe(fingerprint);
    expect(await page.$eval('[data-testid=status-lock]', (el) => el.getAttribute('data-state'))).toBe(
      'unlocked',
    );
    // It did ask (the live answers replace the glance), and drew without any answer.
    const held = (await page.evaluate(() => (globalThis as any).__held)) as string[];
    expect(held).toEqual(expect.arrayContaining(['status.get', 'onboarding.get']));
    await page.close();
  });
});
