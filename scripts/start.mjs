// `npm start`: build the extension for Chrome and Firefox, run the relay on its embedded in-memory
// default, and once it answers, say what to do next. Logs are readable lines; `npm start -- --json`
// (or LOG_FORMAT=json) prints the relay's JSON lines instead.
import { spawn, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { nextSteps } from './start-guide.mjs';

const root = path.resolve(import.meta.dirname, '..');
const json = process.argv.includes('--json');

for (const args of [
  ['wxt', 'build'],
  ['wxt', 'build', '-b', 'firefox', '--mv3'],
]) {
  const { status } = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    console.error(`\nThe extension did not build (npx ${args.join(' ')} exited ${status}); see above.`);
    process.exit(status ?? 1);
  }
}

const port = process.env.PORT ?? '8787';
const host = process.env.HOST ?? '127.0.0.1';
const relayUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
const lanAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && a.family === 'IPv4' && !a.internal)
  .map((a) => a.address);

const relay = spawn('npx', ['tsx', 'relay/main.ts'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    PORT: port,
    HOST: host,
    LOG_FORMAT: json ? 'json' : (process.env.LOG_FORMAT ?? 'text'),
  },
});
let told = false;
relay.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!told && chunk.toString().includes('Parley relay listening')) {
    told = true;
    console.log(nextSteps({ root, relayUrl, host, port, lanAddresses, json }));
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => {
  if (!told && code !== 0)
    console.error(
      `\nThe relay stopped before it answered (exit ${code}). If port ${port} is taken, run: PORT=8788 npm start`,
    );
  process.exit(code ?? 0);
});
