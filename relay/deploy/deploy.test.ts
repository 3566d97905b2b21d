import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The deployment files hold what the relay and docs/deploy.md say (DPL2). The Caddyfile itself is run by
 * tests/e2e/tls.test.ts (DPL1).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const UNIT = 'relay/deploy/parley-relay@.service';
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const work = mkdtempSync(path.join(tmpdir(), 'parley-unit-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `systemd-analyze verify` on an instance of a unit file (a template cannot be verified by itself). */
function verify(unitText: string, name: string): { status: number | null; stderr: string } {
  const template = path.join(work, `${name}@.service`);
  writeFileSync(template, unitText);
  const instance = path.join(work, `${name}@8787.service`);
  copyFileSync(template, instance);
  const result = spawnSync(SYSTEMD_ANALYZE, ['verify', instance], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `${SYSTEMD_ANALYZE} is missing (${result.error.message}): run node scripts/ensure-tools.mjs systemd`,
    );
  }
  return { status: result.status, stderr: result.stderr };
}

/** Every variable relay/config.ts reads: `env.NAME` and `number(env, 'NAME')`. */
function relaySettings(): Set<string> {
  const config = read('relay/config.ts');
  return new Set([
    ...[...config.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
    ...[...config.matchAll(/number\(env, '([A-Z][A-Z0-9_]+)'\)/g)].map((m) => m[1]!),
  ]);
}

describe('deployment files', () => {
  it('[DPL2] the systemd unit passes systemd-analyze verify, and a broken copy does not', () => {
    const unit = read(UNIT);
    const good = verify(unit, 'parley-relay');
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    // The check can fail: the same unit with a command that does not exist and a bad limit.
    const broken = verify(
      unit
        .replace(/^ExecStart=.*$/m, 'ExecStart=/nonexistent/node relay/main.ts')
        .replace(/^LimitNOFILE=.*$/m, 'LimitNOFILE=many'),
      'parley-broken',
    );
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/not executable/);
    expect(broken.stderr).toMatch(/LimitNOFILE|resource value/);
  });

  it('[DPL2] the unit runs one node per instance on loopback, stops it gracefully and does not restart a bad setting', () => {
    const unit = read(UNIT);
    expect(unit).toMatch(/^Environment=PORT=%i$/m);
    expect(unit).toMatch(/^Environment=HOST=127\.0\.0\.1$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/parley\/relay\.env$/m);
    expect(unit).toMatch(
      /^ExecStart=\/usr\/bin\/node --import \S+\/tsx\/dist\/loader\.mjs relay\/main\.ts$/m,
    );
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    // OBS5: a node finishes what is in flight within 10 s of SIGTERM; systemd waits longer before SIGKILL.
    expect(Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1])).toBeGreaterThan(10);
    // relay/main.ts exits 2 on a bad setting.
    expect(read('relay/main.ts')).toContain('process.exit(2)');
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });

  it('[DPL2] every relay setting relay.env, the unit and docs/deploy.md name is one the relay reads', () => {
    const known = relaySettings();
    expect(known).toContain('RELAY_ALLOWED_ORIGINS'); // the reader itself works
    const named = new Set<string>();
    // relay.env: assignments, commented out or not.
    for (const m of read('relay/deploy/relay.env').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)) named.add(m[1]!);
    for (const m of read(UNIT).matchAll(/^Environment=([A-Z][A-Z0-9_]+)=/gm)) named.add(m[1]!);
    // docs/deploy.md: names in backticks, and NAME= in its commands.
    const docs = read('docs/deploy.md');
    for (const m of docs.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`|\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)=/g)) {
      const name = (m[1] ?? m[2])!;
      if (!name.startsWith('PARLEY_')) named.add(name);
    }
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((name) => !known.has(name))).toEqual([]);
  });

  it('[DPL2] every PARLEY_* variable docs/deploy.md names is one the Caddyfile uses', () => {
    const caddyfile = read('relay/deploy/Caddyfile');
    const used = new Set([...caddyfile.matchAll(/\{\$(PARLEY_[A-Z_]+)/g)].map((m) => m[1]!));
    const named = new Set([...read('docs/deploy.md').matchAll(/\b(PARLEY_[A-Z_]+)/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(1);
    expect([...named].filter((name) => !used.has(name))).toEqual([]);
  });
});
