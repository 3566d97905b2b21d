import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildSync } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, QUIET_FLAGS, ROOT, makeProfileDir, removeProfileDir } from './harness';

/**
 * The on-device model's `unavailable` path in a real Chromium: the code Parley ships, bundled, run in a page
 * on 127.0.0.1 (a secure context, where the Prompt API is exposed). No model can run here (RECIPES.md).
 */
const bundle = buildSync({
  entryPoints: [path.join(ROOT, 'src/assistant/on-device/detect.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  globalName: 'parleyOnDevice',
  target: 'es2022',
}).outputFiles[0]!.text;

let server: Server;
let browser: Browser;
let page: Page;
let profile: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>on-device</title><p>on-device</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  profile = makeProfileDir('on-device');
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir: profile,
    args: QUIET_FLAGS,
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.addScriptTag({ content: bundle });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (profile) removeProfileDir(profile);
});

describe('on-device model in Chromium', () => {
  it('[ODM9] detectOnDevice answers unavailable in headless Chromium on localhost, without throwing', async () => {
    const result = await page.evaluate(async () => {
      const w = window as unknown as {
        parleyOnDevice: { detectOnDevice(): Promise<{ state: string; reason?: string }> };
        LanguageModel?: { create(): Promise<unknown> };
      };
      const detected = await w.parleyOnDevice.detectOnDevice();
      let created: string;
      try {
        await w.LanguageModel?.create();
        created = w.LanguageModel ? 'created' : 'no_global';
      } catch (error) {
        created = (error as Error).name;
      }
      return { secure: isSecureContext, hasGlobal: typeof w.LanguageModel, detected, created };
    });
    expect(result.secure).toBe(true);
    expect(result.detected.state).toBe('unavailable');
    // What RECIPES.md saw in Debian's Chromium: the global is there and refuses to create a session.
    expect(result.hasGlobal).toBe('function');
    expect(result.detected.reason).toBe('not_supported');
    expect(result.created).toBe('NotSupportedError');
  });
});
