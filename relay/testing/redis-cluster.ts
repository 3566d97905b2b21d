// Test helper: a private Redis Cluster (3 primaries, no replicas) on free ports, made with
// `redis-cli --cluster create` (the redis-tools package, installed with redis-server).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { baseArgs, freePort } from './redis-server';

export interface TestRedisCluster {
  /** Seed nodes, `host:port`: the value of REDIS_CLUSTER_NODES. */
  readonly nodes: string[];
  stop(): Promise<void>;
}

const SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';

export async function startRedisCluster(size = 3): Promise<TestRedisCluster> {
  if (spawnSync(CLI, ['--version']).error) {
    throw new Error(`redis-cli was not found (looked for "${CLI}"): apt-get install -y redis-tools.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: string[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    /** One node on free ports; again on others if a port was taken meanwhile (tests start Redis in parallel). */
    const startNode = async (attempt = 1): Promise<string> => {
      const [port, bus] = [await freePort(), await freePort()];
      const child = spawn(
        SERVER,
        [
          ...baseArgs(port, dir),
          ...['--appendonly', 'no'],
          ...['--cluster-enabled', 'yes', '--cluster-port', String(bus)],
          ...['--cluster-config-file', `nodes-${port}.conf`],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      const started = await new Promise<true | string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Ready to accept connections')) resolve(true);
        });
        child.once('exit', (code) => resolve(`redis-server exited (${code}):\n${out}`));
      });
      if (started === true) return `127.0.0.1:${port}`;
      if (attempt < 3) return startNode(attempt + 1);
      throw new Error(started);
    };
    for (let i = 0; i < size; i++) nodes.push(await startNode());
    const created = spawnSync(
      CLI,
      ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      {
        encoding: 'utf8',
      },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    // Every node must agree the cluster is up before clients may use it.
    for (const node of nodes) {
      const [host, port] = node.split(':');
      const client = new Redis({ host: host!, port: Number(port), lazyConnect: true });
      await client.connect();
      try {
        for (let tries = 0; !(await client.cluster('INFO')).includes('cluster_state:ok'); tries++) {
          if (tries > 300) throw new Error(`${node} never reported cluster_state:ok in 30 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        client.disconnect();
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}
