// `npm test`: everything, on a machine that may have nothing installed by hand.
// 1. types, lint and format (`npm run check`),
// 2. install what the tests need (Chromium, Firefox ESR, Redis, Caddy, OpenSSL, systemd-analyze, and the
//    Firebase Auth emulator into tests/tools) when it is missing,
// 3. build the extension for both browsers,
// 4. run the unit suites, the negotiation fault campaign (200 seeds), then the browser suites.
import { spawnSync } from 'node:child_process';

const steps = [
  ['npm', ['run', 'check']],
  [
    'node',
    [
      'scripts/ensure-tools.mjs',
      'chromium',
      'firefox-esr',
      'redis-server',
      'redis-tools',
      'caddy',
      'openssl',
      'systemd',
      'firebase-tools',
    ],
  ],
  ['npx', ['wxt', 'build']],
  ['npx', ['wxt', 'build', '-b', 'firefox', '--mv3']],
  ['npx', ['vitest', 'run', '--project', 'unit']],
  ['npm', ['run', 'test:campaign', '--', '--seeds', '200']],
  ['npx', ['vitest', 'run', '--project', 'relay-faults']],
  ['npx', ['vitest', 'run', '--project', 'e2e']],
];

for (const [cmd, args] of steps) {
  console.log(`\n▶ ${cmd} ${args.join(' ')}`);
  const { status } = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, PARLEY_SKIP_BUILD: '1', NO_COLOR: process.env.NO_COLOR ?? '' },
  });
  if (status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed (exit ${status}).`);
    process.exit(status ?? 1);
  }
}
console.log('\n✔ all tests passed');
