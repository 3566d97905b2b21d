import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../config';
import { createLogger } from '../log';
import { MemoryMailbox, RedisMailbox, type Mailbox, type PutResult } from '../mailbox';
import { MemoryPrekeyStore, RedisPrekeyStore } from '../prekeys';
import { connectRedis } from '../redis';
import { freePort } from '../testing/redis-server';
import type { Envelope } from '../protocol';
import { createRelay, type Relay } from '../server';
import {
  aliceAndBob,
  envelopeId,
  login,
  makeAgent,
  openSocket,
  payloadOf,
  request,
  type ClientSocket,
} from '../test-client';

const relays: Relay[] = [];
const sockets: ClientSocket[] = [];

async function start(options: Parameters<typeof createRelay>[0] = {}) {
  const relay = createRelay(options);
  relays.push(relay);
  const { url } = await relay.listen(0);
  const open = async () => {
    const s = await openSocket(url);
    sockets.push(s);
    return s;
  };
  return { relay, url, open };
}

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.disconnect());
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

describe('observability', () => {
  it('[OBS1] /readyz is 200 while the store answers, 503 when it does not', async () => {
    let up = true;
    const { url } = await start({
      ready: async () => {
        if (!up) throw new Error('down');
      },
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    up = false;
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'store_unreachable' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('[OBS2] /metrics counts connections, envelopes in and out, depth, latency and rejections', async () => {
    const { url, open } = await start();
    const { alice, bob, a, bobInbox: got } = await aliceAndBob(open);
    await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' });
    await got.waitFor(1);
    await request(a, 'send', { id: 'x', to: bob.agentId, payload: 'AAAA' });
    await request(a, 'nope', {});
    const text = await expect
      .poll(async () => (await fetch(`${url}/metrics`)).text())
      .toMatch(/relay_envelopes_out_total 1/);
    void text;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^relay_connections 2$/m);
    expect(metrics).toMatch(/^relay_authenticated_connections 2$/m);
    expect(metrics).toMatch(/^relay_envelopes_in_total\{outcome="stored"\} 1$/m);
    expect(metrics).toMatch(/^relay_mailbox_depth_count 1$/m);
    expect(metrics).toMatch(/^relay_delivery_latency_seconds_count 1$/m);
    expect(metrics).toMatch(/^relay_rejections_total\{code="bad_request"\} 1$/m);
    expect(metrics).toMatch(/^relay_rejections_total\{code="unknown_event"\} 1$/m);
    // No agent id ever becomes a label.
    expect(metrics).not.toContain(alice.agentId);
  });

  it('[OBS3] answers a store failure (Redis down) `unavailable`, and only a bug `internal`', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The relay's own Redis connection, to a port where no Redis listens.
    const redis = connectRedis(`redis://127.0.0.1:${await freePort()}`, 'obs3');
    redis.on('error', () => {}); // refused connections: expected here
    const { open } = await start({
      mailbox: new RedisMailbox(redis),
      prekeys: new RedisPrekeyStore(redis),
      closeStores: async () => redis.disconnect(),
      logger: createLogger('relay', 'warn', sink),
    });
    const [alice, bob] = [makeAgent(), makeAgent()];
    const a = await open();
    await login(a, alice);
    expect(await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: 'AAAA' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await request(a, 'prekeys:count', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    const failures = () => lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'handler_failed');
    expect(failures().length).toBeGreaterThanOrEqual(2);
    // Retry-worthy, not a bug: a warning.
    expect(failures().every((l) => l.level === 40)).toBe(true);

    // A store that fails for any other reason is a bug: `internal`, logged as an error.
    const buggy = new MemoryPrekeyStore();
    buggy.count = async () => {
      throw new TypeError('a bug');
    };
    const other = await start({ prekeys: buggy, logger: createLogger('relay', 'warn', sink) });
    const c = await other.open();
    await login(c, makeAgent());
    expect(await request(c, 'prekeys:count', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(failures().at(-1)).toMatchObject({ level: 50, error: 'TypeError' });
  });

  it('[OBS4] logs events and codes, never payloads, agent keys or signatures', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { open } = await start({ logger: createLogger('relay', 'debug', sink) });
    const alice = makeAgent();
    const bob = makeAgent();
    const a = await open();
    await login(a, alice);
    const secret = payloadOf('the meeting is about the merger');
    await request(a, 'send', { id: envelopeId(), to: bob.agentId, payload: secret });
    const b = await open();
    const { nonce } = await request(b, 'auth:challenge', {});
    const badSignature = makeAgent().signLogin(nonce, bob.agentId);
    await request(b, 'auth:login', { agentId: bob.agentId, nonce, signature: badSignature });
    await expect.poll(() => lines.join('')).toContain('login_refused');
    const all = lines.join('');
    for (const forbidden of [secret, badSignature, nonce]) expect(all).not.toContain(forbidden);
    expect(JSON.parse(lines.find((l) => l.includes('login_refused'))!)).toMatchObject({
      code: 'bad_signature',
    });
  });

  it('[OBS7] logs read as one line per event by default, JSON when asked; another format refuses to start', async () => {
    expect(configFromEnv({}).logFormat).toBe('text');
    expect(configFromEnv({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => configFromEnv({ LOG_FORMAT: 'xml' })).toThrow(/"text" \(the default\) or "json"/);
    const collect = () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      return { lines, sink };
    };
    const text = collect();
    createLogger('relay', 'info', text.sink, 'text').warn('login_refused', {
      code: 'bad_signature',
      count: 2,
    });
    const json = collect();
    createLogger('relay', 'info', json.sink, 'json').warn('login_refused', {
      code: 'bad_signature',
      count: 2,
    });
    await expect.poll(() => text.lines.length + json.lines.length).toBe(2);
    expect(text.lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN: relay login_refused .*"code":"bad_signature".*"count":2/,
    );
    expect(JSON.parse(json.lines[0]!)).toMatchObject({
      ns: 'relay',
      event: 'login_refused',
      code: 'bad_signature',
      count: 2,
    });
  });

  it('[OBS5] shuts down gracefully: refuses new work, finishes what is in flight, then closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Resolves once a write reached the mailbox: the send is then in flight, however slow the machine.
    let reached!: () => void;
    const writing = new Promise<void>((resolve) => (reached = resolve));
    const inner = new MemoryMailbox();
    const slow: Mailbox = {
      put: async (e: Envelope): Promise<PutResult> => {
        reached();
        await gate;
        return inner.put(e);
      },
      putBatch: async (to, envelopes) => {
        reached();
        await gate;
        return inner.putBatch(to, envelopes);
      },
      putMany: async (requests) => {
        reached();
        await gate;
        return inner.putMany(requests);
      },
      pending: (agentId, limit) => inner.pending(agentId, limit),
      ack: (agentId, id) => inner.ack(agentId, id),
      ackMany: (requests) => inner.ackMany(requests),
      depth: (agentId) => inner.depth(agentId),
      close: () => inner.close(),
    };
    const { relay, url, open } = await start({ mailbox: slow });
    const alice = makeAgent();
    const a = await open();
    await login(a, alice);
    const pending = request(a, 'send', { id: envelopeId(), to: alice.agentId, payload: 'AAAA' });
    await writing;
    const closing = relay.close();
    relays.splice(relays.indexOf(relay), 1);
    expect((await fetch(`${url}/readyz`).catch(() => ({ status: 503 }))).status).toBe(503);
    expect(await request(a, 'send', { id: envelopeId(), to: alice.agentId, payload: 'AAAA' })).toMatchObject({
      error: { code: 'unavailable' },
    });
    release();
    expect(await pending).toMatchObject({ ok: true });
    await closing;
    await expect(openSocket(url)).rejects.toBeTruthy();
  });

  it('[OBS6] the root page says what the relay is, its version and address, and links to its health and the project; it shows nothing about agents', async () => {
    const { url, open } = await start({ projectUrl: 'https://example.org/parley?a=1&b=2' });
    const { alice, bob } = await aliceAndBob(open);
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.once('error', reject);
        req.end();
      });
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

    // Behind a TLS proxy: the public name and scheme come from the proxy's headers.
    const page = await get('/', { host: 'relay.example.org', 'x-forwarded-proto': 'https' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<h1>Parley relay</h1>');
    expect(page.body).toContain(`Version ${version}.`);
    expect(page.body).toContain('<code>wss://relay.example.org</code>');
    expect(page.body).toContain('<a href="/healthz">');
    expect(page.body).toContain('<a href="/readyz">');
    expect(page.body).toContain('<a href="https://example.org/parley?a=1&#38;b=2">');
    for (const secret of [alice.agentId, bob.agentId]) expect(page.body).not.toContain(secret);
    expect(page.body).not.toMatch(/connection|mailbox depth/i);

    // Straight to the node (no proxy): ws://, the host as asked.
    expect((await get('/')).body).toMatch(/<code>ws:\/\/127\.0\.0\.1:\d+<\/code>/);
    // A Host header that is not a host name is not echoed.
    const odd = await get('/', { host: '<script>x</script>' });
    expect(odd.status).toBe(200);
    expect(odd.body).not.toContain('<script>');
    expect(odd.body).not.toContain('<code>');
    // HEAD: the headers alone; other paths are still not found.
    expect(await get('/', {}, 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await get('/index.html')).status).toBe(404);
  });

  it('[OBS6] the project link is optional, and a relay refuses to start with one that is not an http(s) address', async () => {
    const { url } = await start();
    const body = await (await fetch(`${url}/`)).text();
    expect(body).toContain('Project: Parley');
    expect(body).not.toMatch(/<a href="http/);
    expect(configFromEnv({ RELAY_PROJECT_URL: 'https://example.org/parley' }).projectUrl).toBe(
      'https://example.org/parley',
    );
    expect(() => configFromEnv({ RELAY_PROJECT_URL: 'javascript:alert(1)' })).toThrow(ConfigError);
    expect(() => configFromEnv({ RELAY_PROJECT_URL: 'https://x"><script>' })).toThrow(ConfigError);
  });
});
