// Test helper: the Firebase Auth emulator (firebase-tools, no network with CI=true) on free
// ports, from a temporary firebase.json shaped like the repo's. ~13 s to start on a quiet 2-core machine, minutes on a saturated one.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './redis-server';

export interface AuthEmulator {
  /** host:port, the value of FIREBASE_AUTH_EMULATOR_HOST. */
  readonly host: string;
  readonly projectId: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function startAuthEmulator(projectId = 'demo-parley'): Promise<AuthEmulator> {
  const [auth, hub, logging] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-firebase-'));
  const config = path.join(dir, 'firebase.json');
  writeFileSync(
    config,
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: auth },
        hub: { host: '127.0.0.1', port: hub },
        logging: { host: '127.0.0.1', port: logging },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  );
  // firebase-tools is a test-only tool, kept out of the root install (scripts/ensure-tools.mjs).
  const bin = path.join(ROOT, 'tests/tools/node_modules/.bin/firebase');
  if (!existsSync(bin))
    throw new Error(
      'The Firebase Auth emulator is not installed. `npm test` installs it; to run this suite alone, ' +
        'first run: node scripts/ensure-tools.mjs firebase-tools',
    );
  const child = spawn(
    bin,
    ['emulators:start', '--only', 'auth', '--project', projectId, '--config', config],
    {
      cwd: dir,
      env: { ...process.env, CI: 'true', NO_UPDATE_NOTIFIER: '1', FIREBASE_AUTH_EMULATOR_HOST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid!, 'SIGTERM'); // its whole process group (java-less, but node children)
      } catch {
        child.kill('SIGTERM');
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`The Firebase Auth emulator did not start within 240 s. Its output:\n${out.slice(-2000)}`),
      );
    }, 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`The Firebase Auth emulator exited (${code}) before it was ready:\n${out.slice(-2000)}`),
      );
    });
    const poll = setInterval(() => {
      if (out.includes('All emulators ready')) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
  });
  return { host: `127.0.0.1:${auth}`, projectId, stop };
}

/**
 * An unsigned ID token shaped as the emulator mints them (the emulator accepts such tokens, which is
 * why a relay refuses it outside development mode): issued two hours ago and expired an hour ago
 * unless `claims` say otherwise.
 */
export function unsignedEmulatorToken(
  projectId: string,
  uid: string,
  claims: Record<string, number> = {},
): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
    iss: `https://securetoken.google.com/${projectId}`,
    aud: projectId,
    auth_time: now - 7200,
    user_id: uid,
    sub: uid,
    iat: now - 7200,
    exp: now - 3600,
    firebase: { identities: {}, sign_in_provider: 'password' },
    ...claims,
  })}.`;
}
