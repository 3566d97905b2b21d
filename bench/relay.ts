// `npm run bench:relay`: our relay (durable Redis mailboxes, acks, receipts) against a raw
// socket.io forwarder (`io.to(id).emit`), on one node and on two nodes + Redis, driven by a load
// generator in a separate process; then 10,000 idle authenticated connections.
// Last line: {"suite":"relay",...}. Phases are shortened (8 s saturate, 6 s at 2,000/s) so the
// whole run stays under ~3 minutes on 2 cores.
//
// One file, three roles: the orchestrator (default), `--role raw` (the baseline server) and
// `--role load` (the load generator).
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { loginMessage } from '../relay/protocol';
import { startRedis } from '../relay/testing/redis-server';
import { startRelayProcess, type RelayProcess } from '../relay/testing/relay-process';

const SELF = path.resolve(import.meta.dirname, 'relay.ts');
const CLIENTS = 1000;
const SATURATE_S = 8;
const RATE_S = 6;
const IDLE = 10_000;
const role = process.argv[process.argv.indexOf('--role') + 1];

// ─── role: raw forwarder ────────────────────────────────────────────────────────────────────
async function rawServer(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, maxHttpBufferSize: 1_000_000 });
  if (process.env.REDIS_URL) {
    const pub = new Redis(process.env.REDIS_URL);
    io.adapter(createAdapter(pub, pub.duplicate()));
  }
  io.on('connection', (socket) => {
    void socket.join(String(socket.handshake.auth.id));
    socket.on('send', (m: { id: string; to: string; payload: string }, ack: (r: unknown) => void) => {
      io.to(m.to).emit('deliver', { ...m, from: socket.handshake.auth.id, sentAt: Date.now() });
      ack({ ok: true, id: m.id });
    });
  });
  http.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening on http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
  });
}

// ─── role: load generator ───────────────────────────────────────────────────────────────────
interface LoadJob {
  kind: 'raw' | 'relay';
  urls: string[];
  mode: 'saturate' | 'rate' | 'idle';
  clients: number;
  seconds: number;
  rate?: number;
}

interface LoadResult {
  delivered: number;
  perSecond: number;
  p99: number;
  lost: number;
  duplicates: number;
  refused: number;
}

async function loadGenerator(): Promise<void> {
  const job = JSON.parse(process.env.LOAD_JOB!) as LoadJob;
  const payload = randomBytes(1024).toString('base64url');
  const sockets: Socket[] = [];
  const ids: string[] = [];
  const sentAt = new Map<string, number>();
  const acked = new Set<string>();
  const seen = new Set<string>();
  const latencies: number[] = [];
  let duplicates = 0;
  let refused = 0;
  let counting = false;
  let deliveredInWindow = 0;

  const open = async (i: number) => {
    const url = job.urls[i % job.urls.length]!;
    let agentId = `raw${i}`;
    let key: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;
    if (job.kind === 'relay') {
      const pair = generateKeyPairSync('ed25519');
      agentId = pair.publicKey.export({ format: 'jwk' }).x!;
      key = pair.privateKey;
    }
    const socket = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { id: agentId },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    if (key) {
      const challenge = await socket.timeout(30_000).emitWithAck('auth:challenge', {});
      const signature = sign(null, loginMessage(challenge.nonce, agentId), key).toString('base64url');
      const login = await socket
        .timeout(30_000)
        .emitWithAck('auth:login', { agentId, nonce: challenge.nonce, signature });
      if (!login.ok) throw new Error(`login refused: ${login.error.code}`);
    }
    socket.on('deliver', (envelope: { id: string }, ack?: (r: { ok: boolean }) => void) => {
      ack?.({ ok: true });
      if (seen.has(envelope.id)) duplicates++;
      else seen.add(envelope.id);
      const t0 = sentAt.get(envelope.id);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      if (counting) deliveredInWindow++;
    });
    sockets[i] = socket;
    ids[i] = agentId;
  };
  for (let i = 0; i < job.clients; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, job.clients - i) }, (_, k) => open(i + k)));
  }

  if (job.mode === 'idle') {
    process.stdout.write('ready\n');
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
    sockets.forEach((s) => s.disconnect());
    process.stdout.write(
      `${JSON.stringify({ delivered: 0, perSecond: 0, p99: 0, lost: 0, duplicates: 0, refused: 0 })}\n`,
    );
    process.exit(0);
  }

  let seq = 0;
  const sendOne = async (i: number): Promise<void> => {
    // Each client writes to the next one: with round-robin nodes, every envelope crosses nodes.
    const to = ids[(i + 1) % ids.length]!;
    const id = `m${i}_${seq++}`.padEnd(8, '0');
    sentAt.set(id, performance.now());
    const result = await sockets[i]!.timeout(10_000)
      .emitWithAck('send', { id, to, payload })
      .catch(() => null);
    if (result?.ok) acked.add(id);
    else refused++;
  };

  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  counting = true;
  if (job.mode === 'saturate') {
    const window = 4;
    await Promise.all(
      sockets.flatMap((_, i) =>
        Array.from({ length: window }, async () => {
          while (performance.now() < deadline) await sendOne(i);
        }),
      ),
    );
  } else {
    const perTick = (job.rate! * 10) / 1000;
    let next = 0;
    let carry = 0;
    const inflight: Promise<void>[] = [];
    while (performance.now() < deadline) {
      carry += perTick;
      for (; carry >= 1; carry--) inflight.push(sendOne(next++ % sockets.length));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(inflight);
  }
  const elapsed = (performance.now() - started) / 1000;
  counting = false;
  const perSecond = deliveredInWindow / elapsed;
  // Let what was acknowledged arrive, then count what never did.
  const settle = performance.now() + 10_000;
  while ([...acked].some((id) => !seen.has(id)) && performance.now() < settle)
    await new Promise((r) => setTimeout(r, 100));
  const lost = [...acked].filter((id) => !seen.has(id)).length;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  sockets.forEach((s) => s.disconnect());
  const result: LoadResult = { delivered: seen.size, perSecond, p99, lost, duplicates, refused };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ─── orchestrator ───────────────────────────────────────────────────────────────────────────
function spawnSelf(roleName: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', SELF, '--role', roleName], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

async function startRaw(redisUrl?: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnSelf('raw', redisUrl ? { REDIS_URL: redisUrl } : {});
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return { url, child };
}

async function runLoad(job: LoadJob, onReady?: () => Promise<void>): Promise<LoadResult> {
  const child = spawnSelf('load', { LOAD_JOB: JSON.stringify(job) });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (onReady && out.includes('ready\n')) {
        const ready = onReady;
        onReady = undefined;
        void ready().then(() => child.stdin!.write('go\n'));
      }
    });
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(last) as LoadResult);
    });
  });
}

const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function orchestrate(): Promise<void> {
  const startedAt = Date.now();
  const redis = await startRedis();
  const relayEnv = {
    REDIS_URL: redis.url,
    RELAY_RATE_PER_SECOND: '1000',
    RELAY_RATE_BURST: '2000',
    RELAY_MAX_CONNECTIONS: String(IDLE + 1000),
    LOG_LEVEL: 'error',
  };
  const kill = (c: ChildProcess) => c.kill('SIGKILL');
  const saturate = (kind: LoadJob['kind'], urls: string[]) =>
    runLoad({ kind, urls, mode: 'saturate', clients: CLIENTS, seconds: SATURATE_S });
  const at2000 = (kind: LoadJob['kind'], urls: string[]) =>
    runLoad({ kind, urls, mode: 'rate', clients: CLIENTS, seconds: RATE_S, rate: 2000 });

  // One node.
  const raw1 = await startRaw();
  const rawSat = await saturate('raw', [raw1.url]);
  const rawRate = await at2000('raw', [raw1.url]);
  kill(raw1.child);
  log(`raw, 1 node: ${rawSat.perSecond.toFixed(0)}/s saturated; p99 ${rawRate.p99.toFixed(1)} ms at 2,000/s`);

  const ours1 = await startRelayProcess(relayEnv);
  const oursSat = await saturate('relay', [ours1.url]);
  const oursRate = await at2000('relay', [ours1.url]);
  await ours1.kill();
  log(
    `relay, 1 node + Redis mailboxes: ${oursSat.perSecond.toFixed(0)}/s saturated; p99 ${oursRate.p99.toFixed(1)} ms at 2,000/s`,
  );

  // Two nodes + Redis.
  const rawA = await startRaw(redis.url);
  const rawB = await startRaw(redis.url);
  const raw2Sat = await saturate('raw', [rawA.url, rawB.url]);
  kill(rawA.child);
  kill(rawB.child);
  log(`raw, 2 nodes + Redis adapter: ${raw2Sat.perSecond.toFixed(0)}/s saturated`);

  const oursA = await startRelayProcess(relayEnv);
  const oursB = await startRelayProcess(relayEnv);
  const ours2Sat = await saturate('relay', [oursA.url, oursB.url]);
  await Promise.all([oursA.kill(), oursB.kill()]);
  log(`relay, 2 nodes + Redis: ${ours2Sat.perSecond.toFixed(0)}/s saturated`);

  // Idle: 10,000 authenticated connections on one node.
  const idleNode: RelayProcess = await startRelayProcess(relayEnv);
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssKb(idleNode.pid);
  let after = before;
  await runLoad(
    { kind: 'relay', urls: [idleNode.url], mode: 'idle', clients: IDLE, seconds: 0 },
    async () => {
      await new Promise((r) => setTimeout(r, 2000));
      after = rssKb(idleNode.pid);
    },
  );
  await idleNode.kill();
  const idleConnKb = (after - before) / IDLE;
  log(
    `idle: ${IDLE} authenticated connections, server RSS ${before} → ${after} KiB (${idleConnKb.toFixed(1)} KiB each)`,
  );

  await redis.stop();
  const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
  const lost = oursSat.lost + oursRate.lost + ours2Sat.lost;
  const duplicates = oursSat.duplicates + oursRate.duplicates + ours2Sat.duplicates;
  log(
    `refused sends (relay phases): ${oursSat.refused + oursRate.refused + ours2Sat.refused}; ` +
      `ulimit -n: ${process.env.ULIMIT_N ?? 'see report'}; total ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  );
  process.stdout.write(
    `${JSON.stringify({
      suite: 'relay',
      raw_per_s: Math.round(rawSat.perSecond),
      relay_per_s: Math.round(oursSat.perSecond),
      ratio: round(oursSat.perSecond / rawSat.perSecond, 2),
      raw2_per_s: Math.round(raw2Sat.perSecond),
      relay2_per_s: Math.round(ours2Sat.perSecond),
      ratio2: round(ours2Sat.perSecond / raw2Sat.perSecond, 2),
      p99_ms_at_2000: round(oursRate.p99),
      raw_p99_ms_at_2000: round(rawRate.p99),
      lost,
      duplicates,
      idle_conn_kb: round(idleConnKb),
    })}\n`,
  );
  process.exit(0);
}

if (role === 'raw') await rawServer();
else if (role === 'load') await loadGenerator();
else await orchestrate();
