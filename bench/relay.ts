// `npm run bench:relay`: our relay (durable Redis mailboxes, acks, receipts) against a raw
// socket.io forwarder (`io.to(id).emit`), on one node and on two nodes + Redis, driven by a load
// generator in a separate process; then 10,000 idle authenticated connections.
// Last line: {"suite":"relay",...}. Phases are shortened (8 s saturate, 6 s at 2,000/s) so the
// whole run stays within a few minutes on 2 cores.
//
// Fairness: both sides of a ratio run with the same load generator, 1,000 clients, the same
// 1 KiB payload, the same send window and phase length, and are interleaved (raw, relay, raw,
// relay…; BENCH_REPS rounds, default 2) so drift and noise show in the per-phase lines printed
// before the JSON. Ratios use the mean of the rounds. The load generator collects its garbage on
// its own thread (BENCH_LOAD_FLAGS, default --single-threaded-gc): on a 2-core machine V8's parallel GC
// helpers would otherwise take a core from whichever server is under test (docs/relay-at-scale.md).
//
// One file, three roles: the orchestrator (default), `--role raw` (the baseline server) and
// `--role load` (the load generator).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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
const REPS = Number(process.env.BENCH_REPS ?? 2);
/** BENCH_ONLY=saturate|rate|two|idle runs that phase alone (for profiling); default all. */
const ONLY = process.env.BENCH_ONLY;
/**
 * Node flags for both servers, raw and relay alike (BENCH_SERVER_FLAGS, space-separated; default
 * none). docs/relay-at-scale.md says which ones the relay is run with and what they changed.
 */
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
/** Node flags for the load generator, the same in every phase (BENCH_LOAD_FLAGS, space-separated). */
const LOAD_FLAGS = (process.env.BENCH_LOAD_FLAGS ?? '--single-threaded-gc').split(' ').filter(Boolean);
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
  /** Distinct envelopes the application handled. */
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  p90: number;
  max: number;
  /** The sender's wait for the server's answer (the relay answers after the durable store), p99. */
  ackP99: number;
  /** Acknowledged by the relay, never handled by the recipient's application. */
  lost: number;
  /** Envelopes the application handled twice (its dedupe by id did not catch the copy). */
  duplicates: number;
  /** Copies that reached the socket again and were dropped by the dedupe (at-least-once). */
  redeliveries: number;
  refused: number;
}

async function loadGenerator(): Promise<void> {
  const job = JSON.parse(process.env.LOAD_JOB!) as LoadJob;
  const payload = randomBytes(1024).toString('base64url');
  const sockets: Socket[] = [];
  const ids: string[] = [];
  const sentAt = new Map<string, number>();
  const acked = new Set<string>();
  // The recipient application, as the extension's PeerService.receive does it: look the id up
  // in the seen store on arrival, handle, record it as seen, then acknowledge. A copy that
  // arrives while the first is still being handled passes the look-up: that is an
  // application-level duplicate. A copy arriving later is a redelivery the dedupe drops.
  const handled = new Set<string>();
  const handling = new Set<string>();
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let duplicates = 0;
  let redeliveries = 0;
  let refused = 0;
  let counting = false;
  let deliveredInWindow = 0;

  /** Handles one envelope; resolves once it is handled (or dropped as a redelivery). */
  const receive = (envelope: { id: string }): Promise<void> => {
    const id = envelope.id;
    if (handled.has(id)) {
      redeliveries++;
      return Promise.resolve();
    }
    if (handling.has(id)) duplicates++;
    handling.add(id);
    // Stand-in for the store commit: the handling finishes asynchronously.
    return Promise.resolve().then(() => {
      handling.delete(id);
      if (handled.has(id)) return;
      handled.add(id);
      const t0 = sentAt.get(id);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      if (counting) deliveredInWindow++;
    });
  };
  // The raw forwarder pushes one envelope per event and wants no answer; the relay pushes
  // batches (DLV1) and forgets what the answer names (DLV2).
  const receiveOne = (envelope: { id: string }) => void receive(envelope);
  const receiveBatch = (envelopes: { id: string }[], ack: (r: { acked: string[] }) => void) => {
    void Promise.all(envelopes.map(receive)).then(() => ack({ acked: envelopes.map((e) => e.id) }));
  };

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
    if (job.kind === 'relay') socket.on('deliver', receiveBatch);
    else socket.on('deliver', receiveOne);
    if (key) {
      const challenge = await socket.timeout(30_000).emitWithAck('auth:challenge', {});
      const signature = sign(null, loginMessage(challenge.nonce, agentId), key).toString('base64url');
      const login = await socket
        .timeout(30_000)
        .emitWithAck('auth:login', { agentId, nonce: challenge.nonce, signature });
      if (!login.ok) throw new Error(`login refused: ${login.error.code}`);
    }
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
    process.stdout.write(`${JSON.stringify({ delivered: 0 })}\n`);
    process.exit(0);
  }

  // The same pause for both sides: the relay finishes the logins' mailbox drains and the
  // first second of a phase measures the phase, not the 1,000 logins before it.
  await new Promise((r) => setTimeout(r, 1000));
  let seq = 0;
  const sendOne = async (i: number): Promise<void> => {
    // Each client writes to the next one: with round-robin nodes, every envelope crosses nodes.
    const to = ids[(i + 1) % ids.length]!;
    // Unique within the run (ids are 8–64 characters).
    const id = `e${String(seq++).padStart(9, '0')}`;
    const t0 = performance.now();
    sentAt.set(id, t0);
    const result = await sockets[i]!.timeout(10_000)
      .emitWithAck('send', { id, to, payload })
      .catch(() => null);
    if (counting) ackLatencies.push(performance.now() - t0);
    if (result?.ok) acked.add(id);
    else refused++;
  };

  process.stdout.write('started\n');
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
    // Open loop: what is due by the clock is sent, however late the timer fired.
    let next = 0;
    const inflight: Promise<void>[] = [];
    while (performance.now() < deadline) {
      const due = Math.floor(((performance.now() - started) / 1000) * job.rate!);
      while (next < due) inflight.push(sendOne(next++ % sockets.length));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(inflight);
  }
  const elapsed = (performance.now() - started) / 1000;
  counting = false;
  process.stdout.write('ended\n');
  const perSecond = deliveredInWindow / elapsed;
  // Let what was acknowledged arrive, then count what never did; late copies still count.
  const settle = performance.now() + 10_000;
  while ([...acked].some((id) => !handled.has(id)) && performance.now() < settle)
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300));
  const lost = [...acked].filter((id) => !handled.has(id)).length;
  latencies.sort((a, b) => a - b);
  ackLatencies.sort((a, b) => a - b);
  const at = (q: number, xs = latencies) => xs[Math.floor(xs.length * q)] ?? 0;
  sockets.forEach((s) => s.disconnect());
  const result: LoadResult = {
    delivered: handled.size,
    perSecond,
    p50: at(0.5),
    p99: at(0.99),
    p90: at(0.9),
    max: latencies.at(-1) ?? 0,
    ackP99: at(0.99, ackLatencies),
    lost,
    duplicates,
    redeliveries,
    refused,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ─── orchestrator ───────────────────────────────────────────────────────────────────────────
function spawnSelf(
  roleName: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', SELF, '--role', roleName], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** Servers and Redis this run started: killed when it ends, however it ends (a failed phase too). */
const owned = new Set<number>();
process.on('exit', () => {
  for (const pid of owned) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});
function own<T extends { pid: number }>(server: T): T {
  owned.add(server.pid);
  return server;
}

async function startRaw(redisUrl?: string): Promise<{ url: string; pid: number; kill(): void }> {
  const child = spawnSelf('raw', redisUrl ? { REDIS_URL: redisUrl } : {}, SERVER_FLAGS);
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return own({ url, pid: child.pid!, kill: () => child.kill('SIGKILL') });
}

/** CPU seconds (user + system) a process used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface Measured extends LoadResult {
  /** CPU milliseconds per 1,000 handled envelopes during the window: servers, Redis, load. */
  serverMs: number;
  redisMs: number;
  loadMs: number;
}

/** Runs one load phase; `servers` are the pids whose CPU the window is charged to. */
async function runLoad(
  job: LoadJob,
  servers: number[],
  redisPid: number,
  onReady?: () => Promise<void>,
): Promise<Measured> {
  const child = spawnSelf('load', { LOAD_JOB: JSON.stringify(job) }, LOAD_FLAGS);
  const pids = [...servers, redisPid, child.pid!];
  let out = '';
  let before: number[] = [];
  let after: number[] = [];
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!before.length && out.includes('started\n')) before = pids.map(cpuSeconds);
      if (!after.length && out.includes('ended\n')) after = pids.map(cpuSeconds);
      if (onReady && out.includes('ready\n')) {
        const ready = onReady;
        onReady = undefined;
        void ready().then(() => child.stdin!.write('go\n'));
      }
    });
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${out.slice(-500)}`));
      const result = JSON.parse(last) as LoadResult;
      const used = pids.map((_, i) => (after[i] ?? 0) - (before[i] ?? 0));
      const perK = (s: number) => (s * 1000 * 1000) / Math.max(1, result.perSecond * job.seconds);
      resolve({
        ...result,
        serverMs: perK(used.slice(0, servers.length).reduce((a, b) => a + b, 0)),
        redisMs: perK(used[servers.length] ?? 0),
        loadMs: perK(used[servers.length + 1] ?? 0),
      });
    });
  });
}

const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const log = (line: string) => process.stderr.write(`${line}\n`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function describe(label: string, m: Measured): string {
  return (
    `  ${label.padEnd(24)} ${m.perSecond.toFixed(0).padStart(6)}/s  p50 ${m.p50.toFixed(1)} ms  ` +
    `p90 ${m.p90.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  max ${m.max.toFixed(0)} ms  ack p99 ${m.ackP99.toFixed(1)} ms  lost ${m.lost}  dup ${m.duplicates}  redelivered ${m.redeliveries}  ` +
    `refused ${m.refused}  cpu ms/1k: server ${m.serverMs.toFixed(0)} redis ${m.redisMs.toFixed(0)} ` +
    `load ${m.loadMs.toFixed(0)}`
  );
}

async function orchestrate(): Promise<void> {
  const startedAt = Date.now();
  const redis = await startRedis();
  const { pid: redisPid } = own({
    pid: Number(
      execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${redis.port}`])
        .toString()
        .trim()
        .split('\n')[0],
    ),
  });
  const relayEnv = {
    REDIS_URL: redis.url,
    RELAY_RATE_PER_SECOND: '1000',
    RELAY_RATE_BURST: '2000',
    RELAY_MAX_CONNECTIONS: String(IDLE + 1000),
    LOG_LEVEL: 'error',
  };
  const job = (kind: LoadJob['kind'], urls: string[], mode: 'saturate' | 'rate'): LoadJob =>
    mode === 'saturate'
      ? { kind, urls, mode, clients: CLIENTS, seconds: SATURATE_S }
      : { kind, urls, mode, clients: CLIENTS, seconds: RATE_S, rate: 2000 };
  const relayPhases: Measured[] = [];

  /** Raw and relay alternate, REPS rounds each, on servers that stay up between rounds. */
  async function compare(
    title: string,
    mode: 'saturate' | 'rate',
    raw: { urls: string[]; pids: number[] },
    ours: { urls: string[]; pids: number[] },
  ): Promise<{ raw: Measured[]; ours: Measured[] }> {
    log(`${title}`);
    const out = { raw: [] as Measured[], ours: [] as Measured[] };
    for (let r = 1; r <= REPS; r++) {
      const a = await runLoad(job('raw', raw.urls, mode), raw.pids, redisPid);
      log(describe(`raw #${r}`, a));
      const b = await runLoad(job('relay', ours.urls, mode), ours.pids, redisPid);
      log(describe(`relay #${r}`, b));
      out.raw.push(a);
      out.ours.push(b);
      relayPhases.push(b);
    }
    return out;
  }

  const runs = (phase: string) => !ONLY || ONLY === phase;
  const none = { raw: [] as Measured[], ours: [] as Measured[] };
  let sat1 = none;
  let rate1 = none;
  let sat2 = none;
  let idleConnKb = Number.NaN;

  // One node.
  if (runs('saturate') || runs('rate')) {
    const raw1 = await startRaw();
    const ours1 = own(await startRelayProcess(relayEnv, SERVER_FLAGS));
    const one = { urls: [raw1.url], pids: [raw1.pid] };
    const oneOurs = { urls: [ours1.url], pids: [ours1.pid] };
    if (runs('saturate'))
      sat1 = await compare('1 node, saturated (relay: Redis mailboxes)', 'saturate', one, oneOurs);
    if (runs('rate')) rate1 = await compare('1 node, open loop at 2,000/s', 'rate', one, oneOurs);
    raw1.kill();
    await ours1.kill();
  }

  // Two nodes + Redis.
  if (runs('two')) {
    const rawA = await startRaw(redis.url);
    const rawB = await startRaw(redis.url);
    const oursA = own(await startRelayProcess(relayEnv, SERVER_FLAGS));
    const oursB = own(await startRelayProcess(relayEnv, SERVER_FLAGS));
    sat2 = await compare(
      '2 nodes + Redis, saturated (raw: Redis adapter)',
      'saturate',
      { urls: [rawA.url, rawB.url], pids: [rawA.pid, rawB.pid] },
      { urls: [oursA.url, oursB.url], pids: [oursA.pid, oursB.pid] },
    );
    rawA.kill();
    rawB.kill();
    await Promise.all([oursA.kill(), oursB.kill()]);
  }

  // Idle: 10,000 authenticated connections on one node.
  if (runs('idle')) {
    const idleNode: RelayProcess = own(await startRelayProcess(relayEnv, SERVER_FLAGS));
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssKb(idleNode.pid);
    let after = before;
    await runLoad(
      { kind: 'relay', urls: [idleNode.url], mode: 'idle', clients: IDLE, seconds: 0 },
      [idleNode.pid],
      redisPid,
      async () => {
        await new Promise((r) => setTimeout(r, 2000));
        after = rssKb(idleNode.pid);
      },
    );
    await idleNode.kill();
    idleConnKb = (after - before) / IDLE;
    log(
      `idle: ${IDLE} authenticated connections, server RSS ${before} → ${after} KiB (${idleConnKb.toFixed(1)} KiB each)`,
    );
  }

  await redis.stop();
  const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
  const perSecond = (ms: Measured[]) => mean(ms.map((m) => m.perSecond));
  const p99 = (ms: Measured[]) => mean(ms.map((m) => m.p99));
  const sum = (key: 'lost' | 'duplicates' | 'redeliveries' | 'refused') =>
    relayPhases.reduce((n, m) => n + m[key], 0);
  log(
    `relay phases: ${sum('redeliveries')} wire redeliveries (dropped by the dedupe), ${sum('refused')} refused sends; ` +
      `${REPS} rounds, means used; total ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  );
  process.stdout.write(
    `${JSON.stringify({
      suite: 'relay',
      raw_per_s: Math.round(perSecond(sat1.raw)),
      relay_per_s: Math.round(perSecond(sat1.ours)),
      ratio: round(perSecond(sat1.ours) / perSecond(sat1.raw), 2),
      raw2_per_s: Math.round(perSecond(sat2.raw)),
      relay2_per_s: Math.round(perSecond(sat2.ours)),
      ratio2: round(perSecond(sat2.ours) / perSecond(sat2.raw), 2),
      p99_ms_at_2000: round(p99(rate1.ours)),
      raw_p99_ms_at_2000: round(p99(rate1.raw)),
      lost: sum('lost'),
      duplicates: sum('duplicates'),
      idle_conn_kb: round(idleConnKb),
    })}\n`,
  );
  process.exit(0);
}

if (role === 'raw') await rawServer();
else if (role === 'load') await loadGenerator();
else await orchestrate();
