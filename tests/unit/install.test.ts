import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
interface LockPackage {
  hasInstallScript?: boolean;
  optional?: boolean;
  dev?: boolean;
}
const lock = (file: string) =>
  JSON.parse(read(file)) as { packages: Record<string, LockPackage & { dependencies?: object }> };

/** Packages with install scripts that compile nothing, and why. */
const HARMLESS_INSTALL_SCRIPTS: Record<string, string> = {
  'node_modules/@firebase/util': 'a JavaScript postinstall that writes a default config file',
  'node_modules/protobufjs': 'a JavaScript postinstall that checks versions',
  'node_modules/esbuild': 'a JavaScript postinstall that picks the prebuilt binary of its platform package',
  'node_modules/bufferutil': 'node-gyp-build loads its prebuilt binary; optional, ws works without it',
};

describe('a light install', () => {
  it('[INS1] the root install compiles nothing: every install script is a known harmless one, and the native add-on is optional', () => {
    const { packages } = lock('package-lock.json');
    const withScripts = Object.entries(packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([name]) => name)
      .filter((name) => name !== '');
    expect(withScripts.sort()).toEqual(Object.keys(HARMLESS_INSTALL_SCRIPTS).sort());
    expect(packages['node_modules/bufferutil']?.optional).toBe(true);
    // The C++ regular-expression add-on that firebase-tools brings (node-gyp rebuild) is not here.
    expect(Object.keys(packages).filter((name) => /(^|\/)re2$/.test(name))).toEqual([]);
  });

  it('[INS2] the Firebase Auth emulator is a test tool, pinned in tests/tools and installed by npm test', () => {
    const root = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'])
      expect(Object.keys(root[field] ?? {})).not.toContain('firebase-tools');
    expect(Object.keys(lock('package-lock.json').packages)).not.toContain('node_modules/firebase-tools');
    const tools = lock('tests/tools/package-lock.json').packages;
    expect(tools['node_modules/firebase-tools']).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
    expect(read('scripts/test.mjs')).toMatch(/'firebase-tools'/);
    expect(read('relay/testing/firebase-emulator.ts')).toContain('tests/tools/node_modules/.bin/firebase');
  });

  it('[INS3] npm start says what next: the relay, loading in Chrome and Firefox, a second person, no Google; JSON logs on request', async () => {
    // @ts-expect-error: a plain ES module of the scripts, without types
    const { nextSteps } = (await import('../../scripts/start-guide.mjs')) as {
      nextSteps: (o: object) => string;
    };
    const local = nextSteps({
      root: '/home/ana/parley',
      relayUrl: 'http://127.0.0.1:8787',
      host: '127.0.0.1',
      port: '8787',
      lanAddresses: ['192.168.1.20'],
      json: false,
    });
    for (const needle of [
      'http://127.0.0.1:8787/healthz',
      'chrome://extensions',
      '/home/ana/parley/.output/chrome-mv3',
      'about:debugging#/runtime/this-firefox',
      '/home/ana/parley/.output/firefox-mv3/manifest.json',
      'A second person',
      'docs/deploy.md',
      'HOST=0.0.0.0',
      'Without Google',
      '.ics file',
      'npm run demo',
      'npm start -- --json',
    ])
      expect(local).toContain(needle);
    expect(local).not.toContain('192.168.1.20'); // listening on this computer only: no address to hand out
    const shared = nextSteps({
      root: '/srv/parley',
      relayUrl: 'http://127.0.0.1:9000',
      host: '0.0.0.0',
      port: '9000',
      lanAddresses: ['192.168.1.20'],
      json: true,
    });
    expect(shared).toContain('enter http://127.0.0.1:9000 in its settings');
    expect(shared).toContain('http://192.168.1.20:9000');
    expect(shared).toContain('(JSON, as asked)');
    expect(read('scripts/start.mjs')).toContain("LOG_FORMAT: json ? 'json'");
  });
});
