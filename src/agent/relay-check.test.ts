import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { checkRelay, healthUrlOf } from './relay-check';

const realFetch = (url: string, init: RequestInit) => fetch(url, init);
let relay: Relay;
let relayUrl: string;
const website = createServer((_, res) => res.writeHead(404).end('not here'));
const silent = createServer(() => {
  /* never answers: the check's own deadline ends the wait */
});
let websiteUrl: string;
let silentUrl: string;

beforeAll(async () => {
  relay = createRelay();
  relayUrl = (await relay.listen(0)).url;
  await new Promise<void>((r) => website.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  websiteUrl = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
  silentUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await relay.close();
  website.close();
  silent.closeAllConnections();
  silent.close();
});

describe('checking a relay address', () => {
  it('[CLR2] a relay answers its health check (ws and http addresses alike)', async () => {
    expect(await checkRelay(relayUrl, realFetch)).toMatchObject({ ok: true });
    expect(await checkRelay(relayUrl.replace(/^http/, 'ws'), realFetch)).toMatchObject({ ok: true });
    expect(healthUrlOf('wss://relay.example.org/socket')?.href).toBe('https://relay.example.org/healthz');
  });

  it('[CLR2] a malformed address, nothing listening, a website and a silent server each say why and what to check', async () => {
    const malformed = await checkRelay('relay example', realFetch);
    expect(malformed).toMatchObject({ ok: false, problem: 'malformed' });
    expect(malformed.ok || malformed.message).toMatch(/wss:\/\//);

    // A port nothing listens on: the website's port after it is closed would race; port 1 refuses.
    const nothing = await checkRelay('http://127.0.0.1:1', realFetch);
    expect(nothing).toMatchObject({ ok: false, problem: 'unreachable' });
    expect(nothing.ok || nothing.message).toMatch(/Nothing answered at 127\.0\.0\.1:1\. Check the address/);

    const site = await checkRelay(websiteUrl, realFetch);
    expect(site).toMatchObject({ ok: false, problem: 'not_a_relay' });
    expect(site.ok || site.message).toMatch(/not as a Parley relay \(HTTP 404\)/);

    const quiet = await checkRelay(silentUrl, realFetch, 200);
    expect(quiet).toMatchObject({ ok: false, problem: 'timeout' });
    expect(quiet.ok || quiet.message).toMatch(/did not answer within/);
  });
});
