// Test helper: a private redis-server on a free port in a temp dir, so test files run in
// parallel and CI needs nothing but the binary (apt-get install redis-server).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: nothing is flushed beyond what appendonly already wrote. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (reads back the append-only file). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** What every test Redis runs with: its port, loopback only, its own directory, no snapshots. */
export const baseArgs = (port: number, dir: string): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  if (spawnSync(BINARY, ['--version']).error) {
    throw new Error(
      `redis-server was not found (looked for "${BINARY}"). Install it (apt-get install -y redis-server) ` +
        'or set REDIS_SERVER_BIN: the relay tests start their own Redis.',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  const port = await freePort();
  const args = [
    ...baseArgs(port, dir),
    ...(options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          proc.stdout!.off('data', onData);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)),
      );
    });
  };
  const exited = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => exited('SIGKILL'),
    restart: launch,
    async stop() {
      await exited('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
