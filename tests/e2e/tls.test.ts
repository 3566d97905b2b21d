import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleRelay } from '../../relay/assemble';
import { configFromEnv } from '../../relay/config';
import { createLogger } from '../../relay/log';
import type { Relay } from '../../relay/server';
import { freePort, startRedis, type TestRedis } from '../../relay/testing/redis-server';
import { startRelayProcess, type RelayProcess } from '../../relay/testing/relay-process';
import { encodeInvite, INVITE_TTL_MS } from '../../src/peers';
import {
  CHROME_EXTENSION,
  ROOT,
  configure,
  ensureBuilt,
  launchAgent,
  makeProfileDir,
  removeProfileDir,
  rpc,
  setInput,
  type AgentBrowser,
} from './harness';
import {
  httpsGet,
  makeCertificate,
  startCaddy,
  trustingAgent,
  type Caddy,
  type Certificate,
} from './tls-proxy';

/**
 * Two people, each on a public-looking relay behind TLS: the repository's Caddyfile run by Debian's Caddy
 * with a certificate made here, in front of real relay processes (`tsx relay/main.ts`) started with the
 * settings docs/deploy.md tells a public host to use (the allow-list with the extension's origin,
 * websocket only). Relay A is two node processes sharing Redis behind one proxy; relay B, the other
 * relay, is one node (in this process, from the same settings) behind its own proxy.
 * Chromium resolves *.parley.test to this machine and trusts exactly this certificate (by its public key),
 * so the extension speaks wss:// as it would to relay.example.org.
 */
const DOMAIN_A = 'relay-a.parley.test';
const DOMAIN_B = 'relay-b.parley.test';

const work = mkdtempSync(path.join(tmpdir(), 'parley-tls-'));
const profiles = { alice: makeProfileDir('tls-alice'), bob: makeProfileDir('tls-bob') };
let certificate: Certificate;
let redis: TestRedis | undefined;
const relayProcesses: RelayProcess[] = [];
const caddies: Caddy[] = [];
let alice: AgentBrowser;
let bob: AgentBrowser;
let alicePanel: Page;
let bobPanel: Page;
let relayA: string;
let relayB: string;
let nodesA: RelayProcess[] = [];
let relayBNode: Relay | undefined;

async function proxied(domain: string, upstreams: readonly string[]): Promise<string> {
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(work, `caddy-${domain}-`));
  caddies.push(
    await startCaddy({
      dir,
      domain,
      httpsPort,
      httpPort,
      upstreams,
      certificate,
    }),
  );
  return `wss://${domain}:${httpsPort}`;
}

const https = (wss: string) => wss.replace(/^wss:/, 'https:');

/** A socket.io client in Node through the proxy, with the Origin a browser would send. */
function socketWithOrigin(wss: string, origin: string): Socket {
  return io(https(wss), {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { origin },
    agent: trustingAgent(certificate.pem) as never,
  });
}

/** How the handshake ended: `connected`, or the relay's error code. Listens from the start, so no event is missed. */
const connectOutcome = (socket: Socket) =>
  new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) =>
      resolve(error.data?.code ?? error.message),
    );
  });

async function authenticatedConnections(node: RelayProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^relay_authenticated_connections (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function relayStatus(panel: Page): Promise<{ url: string; connected: boolean }> {
  const { output } = await rpc(panel, 'status.get', {});
  return output.agent.relay;
}

/**
 * Chromium names an unpacked extension after its folder: the first 32 hex digits of SHA-256(path), each
 * written a–p. Knowing it up front lets the relays start (with the allow-list) while the browsers do.
 */
function unpackedExtensionId(folder: string): string {
  const hex = createHash('sha256').update(folder).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

async function startRelays(extensionId: string): Promise<void> {
  const relayEnv = {
    HOST: '127.0.0.1',
    RELAY_ALLOWED_ORIGINS: `chrome-extension://${extensionId}`,
    RELAY_TRANSPORTS: 'websocket',
    RELAY_PROJECT_URL: 'https://example.org/parley',
  };
  redis = await startRedis();
  const url = redis.url;
  nodesA = await Promise.all(
    [1, 2].map(async () => {
      const node = await startRelayProcess({ ...relayEnv, REDIS_URL: url });
      relayProcesses.push(node);
      return node;
    }),
  );
  // Relay B, the other one, is one node in this process, built from the same settings as relay/main.ts does.
  relayBNode = assembleRelay(configFromEnv(relayEnv), createLogger('relay-b', 'warn'));
  const { url: nodeB } = await relayBNode.listen(0, '127.0.0.1');
  [relayA, relayB] = await Promise.all([
    proxied(
      DOMAIN_A,
      nodesA.map((n) => new URL(n.url).host),
    ),
    proxied(DOMAIN_B, [new URL(nodeB).host]),
  ]);
}

beforeAll(async () => {
  // A fresh machine may lack them: ensure-tools installs with apt-get what is missing (as `npm test` does).
  execFileSync('node', ['scripts/ensure-tools.mjs', 'caddy', 'openssl', 'redis-server'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  ensureBuilt();
  certificate = makeCertificate(work, [DOMAIN_A, DOMAIN_B]);
  const args = [
    '--host-resolver-rules=MAP *.parley.test 127.0.0.1',
    // Trust this one certificate, by its public key; every other certificate error still fails.
    `--ignore-certificate-errors-spki-list=${certificate.spki}`,
  ];
  const extensionId = unpackedExtensionId(CHROME_EXTENSION);
  await Promise.all([
    launchAgent(profiles.alice, undefined, { args }).then((a) => (alice = a)),
    launchAgent(profiles.bob, undefined, { args }).then((b) => (bob = b)),
    startRelays(extensionId),
  ]);
  // The origin the relays allow is the one the extension has.
  expect([alice.extensionId, bob.extensionId]).toEqual([extensionId, extensionId]);

  await configure(alice, relayA, 'Alice');
  await configure(bob, relayB, 'Bob');
  alicePanel = await alice.open('sidepanel');
  bobPanel = await bob.open('sidepanel');
  await Promise.all(
    [alicePanel, bobPanel].map((p) =>
      p.waitForSelector('[data-testid=relay-status][data-connected=true]', { timeout: 30_000 }),
    ),
  );
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await Promise.allSettled(caddies.map((c) => c.stop()));
  await Promise.allSettled([...relayProcesses.map((r) => r.kill('SIGTERM')), relayBNode?.close()]);
  await redis?.stop();
  Object.values(profiles).forEach(removeProfileDir);
  rmSync(work, { recursive: true, force: true });
});

const waitForText = (panel: Page, text: string) =>
  panel.waitForFunction(
    (t) => [...document.querySelectorAll('[data-testid=message]')].some((m) => m.textContent?.includes(t)),
    { timeout: 20_000 },
    text,
  );

async function openThread(panel: Page, name: string): Promise<void> {
  await panel.waitForFunction(
    (n) =>
      [...document.querySelectorAll('[data-testid=contact][data-status=paired]')].some((b) =>
        b.textContent?.includes(n),
      ),
    { timeout: 20_000 },
    name,
  );
  await panel.evaluate((n) => {
    const button = [...document.querySelectorAll<HTMLButtonElement>('[data-testid=contact]')].find((b) =>
      b.textContent?.includes(n),
    );
    button!.click();
  }, name);
  await panel.waitForSelector('[data-testid=composer]');
}

async function send(panel: Page, text: string): Promise<void> {
  await setInput(panel, '[data-testid=composer]', text);
  await panel.click('[data-testid=send]');
}

describe('a relay behind a TLS reverse proxy (relay/deploy/Caddyfile)', () => {
  it('[DPL1] both extensions are logged in over wss:// through the proxy, each on its own relay', async () => {
    expect(await relayStatus(alicePanel)).toMatchObject({ url: relayA, connected: true });
    expect(await relayStatus(bobPanel)).toMatchObject({ url: relayB, connected: true });
    expect(relayA).toMatch(/^wss:\/\/relay-a\.parley\.test:\d+$/);
  });

  it('[DPL1][OBS6] through the proxy: the root page names the wss:// address, health answers, /metrics stays private', async () => {
    const root = await httpsGet(`${https(relayA)}/`, certificate.pem);
    expect(root.status).toBe(200);
    expect(root.body).toContain('<h1>Parley relay</h1>');
    expect(root.body).toContain(`<code>${relayA}</code>`);
    expect(root.body).toContain('<a href="https://example.org/parley">');
    expect((await httpsGet(`${https(relayA)}/healthz`, certificate.pem)).status).toBe(200);
    expect((await httpsGet(`${https(relayA)}/readyz`, certificate.pem)).status).toBe(200);
    expect((await httpsGet(`${https(relayA)}/metrics`, certificate.pem)).status).toBe(404);
    // Plain http to the TLS port reaches no relay: Caddy answers 400 itself.
    const plain = await fetch(
      `${https(relayA).replace('https:', 'http:').replace(DOMAIN_A, '127.0.0.1')}/healthz`,
    );
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain('HTTP request to an HTTPS server');
  });

  it('[PAIR5][DPL1] an invite from the other relay is refused with its address; "Switch and accept" moves Bob to it and pairs', async () => {
    await alicePanel.click('[data-testid=create-invite]');
    await alicePanel.waitForSelector('[data-testid=invite-code]');
    expect(await alicePanel.$eval('[data-testid=invite-relay]', (el) => el.textContent)).toBe(relayA);
    expect(await alicePanel.$('[data-testid=invite-relay-local]')).toBeNull();
    const code = await alicePanel.$eval(
      '[data-testid=invite-code]',
      (el) => (el as HTMLTextAreaElement).value,
    );

    await setInput(bobPanel, '[data-testid=invite-input]', code);
    await bobPanel.click('[data-testid=accept-invite]');
    await bobPanel.waitForSelector('[data-testid=error][data-code=invite_other_relay]');
    const message = await bobPanel.$eval('[data-testid=error]', (el) => el.textContent);
    expect(message).toContain(`another relay (${relayA}); yours is ${relayB}`);
    const button = await bobPanel.waitForSelector('[data-testid=switch-relay-accept]');
    expect(await button!.evaluate((el) => el.textContent)).toBe(`Switch to ${relayA} and accept`);
    // Nothing was stored: Bob has no contact yet, and his relay is still B.
    expect((await rpc(bobPanel, 'contacts.list', {})).output).toEqual([]);
    expect((await relayStatus(bobPanel)).url).toBe(relayB);

    await button!.click();
    await bobPanel.waitForSelector('[data-testid=pair-result]', { timeout: 30_000 });
    await openThread(bobPanel, 'Alice');
    await openThread(alicePanel, 'Bob');
    expect(await relayStatus(bobPanel)).toMatchObject({ url: relayA, connected: true });
    const settings = await rpc(bobPanel, 'settings.get', {});
    expect(settings.output.relayUrl).toBe(relayA);
  });

  it('[DPL1][NOD1] messages go both ways over wss://, between two relay nodes behind one proxy', async () => {
    // least_conn gave each extension's websocket its own node: delivery crosses nodes through Redis.
    expect(await Promise.all(nodesA.map(authenticatedConnections))).toEqual([1, 1]);
    await send(bobPanel, 'Hello over TLS from Bob');
    await waitForText(alicePanel, 'Hello over TLS from Bob');
    await send(alicePanel, 'And back to you, Bob');
    await waitForText(bobPanel, 'And back to you, Bob');
  });

  it('[PAIR6] an invite naming a relay on its creator’s computer is explained, with no switch offered', async () => {
    const code = encodeInvite({
      agentId: 'A'.repeat(43),
      relayUrl: 'http://127.0.0.1:8787',
      secret: 'B'.repeat(24),
      expiresAt: Date.now() + INVITE_TTL_MS,
    });
    await setInput(bobPanel, '[data-testid=invite-input]', code);
    await bobPanel.click('[data-testid=accept-invite]');
    await bobPanel.waitForSelector('[data-testid=error][data-code=invite_relay_local]');
    expect(await bobPanel.$eval('[data-testid=error]', (el) => el.textContent)).toContain(
      'nobody else can reach',
    );
    expect(await bobPanel.$('[data-testid=switch-relay-accept]')).toBeNull();
    expect((await relayStatus(bobPanel)).url).toBe(relayA);
  });

  it('[DPL1][LIM4] the allow-list holds behind the proxy: the extension’s origin connects, a web page’s is refused', async () => {
    const page = socketWithOrigin(relayA, 'https://evil.example');
    const extension = socketWithOrigin(relayA, `chrome-extension://${alice.extensionId}`);
    const outcomes = Promise.all([connectOutcome(page), connectOutcome(extension)]);
    try {
      expect(await outcomes).toEqual(['origin_refused', 'connected']);
    } finally {
      page.disconnect();
      extension.disconnect();
    }
  });

  it('[DPL1][NOD2] a node that dies: its extension reconnects through the proxy to the other node, and mail flows', async () => {
    const [survivor, doomed] = nodesA as [RelayProcess, RelayProcess];
    await doomed.kill('SIGKILL');
    await expect.poll(() => authenticatedConnections(survivor), { timeout: 20_000 }).toBe(2);
    await send(alicePanel, 'Still there after the crash?');
    await waitForText(bobPanel, 'Still there after the crash?');
    await send(bobPanel, 'Yes, on the other node');
    await waitForText(alicePanel, 'Yes, on the other node');
  });
});
