// Regenerates docs/screenshot.png: two agents paired and talking, side panel of the first, with a request
// typed in plain words and what the agent proposes.
// Run: npx tsx tests/e2e/screenshot.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRelay } from '../../relay/server';
import {
  ROOT,
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  setInput,
} from './harness';

ensureBuilt();
const relay = createRelay();
const { url } = await relay.listen(0);
const dirs = [makeProfileDir('shot-a'), makeProfileDir('shot-b')];
const [dana, sam] = await Promise.all(dirs.map((d) => launchAgent(d)));
await configure(dana!, url, 'Dana');
await configure(sam!, url, 'Sam');
const [a, b] = await Promise.all([dana!.open('sidepanel'), sam!.open('sidepanel')]);
await a.setViewport({ width: 400, height: 720 });
await a.click('[data-testid=create-invite]');
await a.waitForSelector('[data-testid=invite-code]');
const code = await a.$eval('[data-testid=invite-code]', (el) => (el as HTMLTextAreaElement).value);
await setInput(b, '[data-testid=invite-input]', code);
await b.click('[data-testid=accept-invite]');
await b.waitForSelector('[data-testid=pair-result]');
const open = async (page: typeof a, name: string) => {
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid=contact]')].some((e) => e.textContent?.includes(n)),
    {},
    name,
  );
  await page.evaluate(
    (n) =>
      [...document.querySelectorAll<HTMLElement>('[data-testid=contact]')]
        .find((e) => e.textContent?.includes(n))!
        .click(),
    name,
  );
  await page.waitForSelector('[data-testid=composer]');
};
await open(a, 'Sam');
await open(b, 'Dana');
const say = async (page: typeof a, text: string, other: typeof a) => {
  await setInput(page, '[data-testid=composer]', text);
  await page.click('[data-testid=send]');
  await other.waitForFunction((t) => document.body.textContent?.includes(t), {}, text);
};
await say(a, 'Could we find 30 minutes next week to go over the launch plan?', b);
await say(b, 'Yes — mornings are best for me. Tuesday or Wednesday?', a);
await a.evaluate(() =>
  (document.querySelector('[data-testid=invite-code]') as HTMLElement | null)?.parentElement
    ?.querySelector('textarea')
    ?.blur(),
);
await setInput(a, '[data-testid=command-input]', 'find 30 minutes with Sam next week, mornings');
await a.click('[data-testid=command-submit]');
await a.waitForSelector('[data-testid=proposal]');
await a.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
writeFileSync(path.join(ROOT, 'docs/screenshot.png'), await a.screenshot({ fullPage: true }));
await Promise.all([dana!.close(), sam!.close()]);
await relay.close();
dirs.forEach(removeProfileDir);
console.log('wrote docs/screenshot.png');
