// Installs what the tests need and a fresh machine may lack: Debian packages, and the heavy npm tools
// that only the tests use (tests/tools: the Firebase Auth emulator), which `npm install` leaves out.
// Usage: node scripts/ensure-tools.mjs chromium [firefox-esr] [redis-server] [redis-tools] [caddy] [openssl] [systemd] [firebase-tools]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const TEST_TOOLS = path.join(ROOT, 'tests/tools');
// npm tools, installed from tests/tools/package-lock.json (pinned) into tests/tools/node_modules.
const NPM_TOOLS = { 'firebase-tools': path.join(TEST_TOOLS, 'node_modules/.bin/firebase') };

const BINARIES = {
  chromium: '/usr/bin/chromium',
  'firefox-esr': '/usr/bin/firefox-esr',
  'redis-server': '/usr/bin/redis-server',
  // redis-cli, which makes the test Redis Cluster (relay/testing/redis-cluster.ts).
  'redis-tools': '/usr/bin/redis-cli',
  // The TLS reverse proxy in front of the relay, and what makes its local certificate (tests/e2e/tls.test.ts).
  caddy: '/usr/bin/caddy',
  openssl: '/usr/bin/openssl',
  // systemd-analyze, which checks the relay's unit file (relay/deploy/deploy.test.ts).
  systemd: '/usr/bin/systemd-analyze',
};

// Tools that print their version with a subcommand rather than `--version`.
const VERSION_ARGS = { caddy: ['version'], openssl: ['version'] };

const wanted = process.argv.slice(2).filter((name) => !(name in NPM_TOOLS));
const wantedNpm = process.argv.slice(2).filter((name) => name in NPM_TOOLS);
const missing = wanted.filter((name) => !existsSync(BINARIES[name] ?? `/usr/bin/${name}`));

if (wantedNpm.some((name) => !existsSync(NPM_TOOLS[name]))) {
  console.log(
    `$ npm ci --ignore-scripts --prefix tests/tools   (${wantedNpm.join(', ')}: only the tests need them)`,
  );
  // --ignore-scripts: the emulator needs no native build (re2, which firebase-tools lists, compiles C++ for minutes).
  const { status } = spawnSync(
    'npm',
    ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', TEST_TOOLS],
    {
      stdio: 'inherit',
    },
  );
  if (status !== 0) {
    console.error(
      `Could not install ${wantedNpm.join(', ')} into tests/tools (npm ci exited ${status}).\n` +
        'Check that the npm registry answers, then run: npm ci --ignore-scripts --prefix tests/tools',
    );
    process.exit(1);
  }
}
for (const name of wantedNpm) {
  const version = spawnSync(NPM_TOOLS[name], ['--version'], { encoding: 'utf8' });
  console.log(`${name}: ${(version.stdout || version.stderr || 'present').trim().split('\n')[0]}`);
}

if (missing.length > 0) {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    console.log(`$ ${[cmd, ...rest].join(' ')}`);
    execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } catch (error) {
    console.error(
      `Could not install ${missing.join(', ')} with apt-get (${error.message}).\n` +
        `Install them yourself (Debian/Ubuntu: apt-get install ${missing.join(' ')}) and run the tests again.`,
    );
    process.exit(1);
  }
}

for (const name of wanted) {
  const bin = BINARIES[name] ?? `/usr/bin/${name}`;
  const version = spawnSync(bin, VERSION_ARGS[name] ?? ['--version'], { encoding: 'utf8' });
  console.log(`${name}: ${(version.stdout || version.stderr || 'present').trim().split('\n')[0]}`);
}
