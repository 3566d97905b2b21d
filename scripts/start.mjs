// `npm start`: build the extension for Chrome and Firefox, then run the relay
// on its embedded in-memory default and say how to load the extension.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
for (const args of [
  ['wxt', 'build'],
  ['wxt', 'build', '-b', 'firefox', '--mv3'],
]) {
  const { status } = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

const port = process.env.PORT ?? '8787';
const host = process.env.HOST ?? '127.0.0.1';
console.log(`
Parley is built.

  Chrome / Chromium: open chrome://extensions, turn on "Developer mode",
    click "Load unpacked" and choose ${path.join(root, '.output/chrome-mv3')}
  Firefox: open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…",
    and choose ${path.join(root, '.output/firefox-mv3/manifest.json')}

The relay starts on http://${host}:${port} (in memory; Ctrl+C stops it). The extension's default
relay is http://127.0.0.1:8787; set another in the extension's settings.
`);

const relay = spawn('npx', ['tsx', 'relay/main.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORT: port, HOST: host },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => process.exit(code ?? 0));
