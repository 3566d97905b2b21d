// The link reads the relay's answers with the protocol's acknowledgement schemas (relay/protocol
// ACKS): a relay that answers outside the protocol gets no further than the link. The "relay" here is
// a bare socket.io server that logs anyone in and then answers as a test tells it to.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, loadSodium, type Identity } from '../crypto';
import { RelayLink } from '.';

let identity: Identity;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await loadSodium();
  identity = await generateIdentity();
});

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A relay that logs every agent in and answers `send` and `prekeys:count` with `answers[event]`. */
async function fakeRelay(answers: Record<string, unknown>): Promise<string> {
  const http = createServer();
  const io = new Server(http);
  io.on('connection', (socket) => {
    socket.on('auth:challenge', (_request, ack) =>
      ack({ ok: true, nonce: 'n'.repeat(32), expiresAt: Date.now() + 60_000 }),
    );
    socket.on('auth:login', (request: { agentId: string }, ack) =>
      ack({ ok: true, agentId: request.agentId }),
    );
    socket.on('send', (_request, ack) => ack(answers.send));
    socket.on('prekeys:count', (_request, ack) => ack(answers['prekeys:count']));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => io.close(() => resolve())));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

async function connectedLink(url: string): Promise<RelayLink> {
  const link = new RelayLink({ identity, url, onEnvelope: async () => {}, requestTimeoutMs: 2000 });
  stops.push(async () => link.stop());
  link.start();
  await expect.poll(() => link.status.connected).toBe(true);
  return link;
}

describe('relay acknowledgements', () => {
  it('passes on answers that match the protocol', async () => {
    const link = await connectedLink(
      await fakeRelay({
        send: { ok: false, error: { code: 'mailbox_full', message: 'Retry later.' } },
        'prekeys:count': { ok: true, oneTimePrekeys: 7, extra: 'dropped' },
      }),
    );
    expect(await link.send('envelope-1', identity.agentId, 'AAAA')).toEqual({
      ok: false,
      error: { code: 'mailbox_full', message: 'Retry later.' },
      permanent: false,
    });
    expect(await link.countPrekeys()).toEqual({ ok: true, oneTimePrekeys: 7 });
  });

  it.each([
    ['a success without its fields', { ok: true }, { ok: true, oneTimePrekeys: '7' }],
    [
      'a code the event cannot answer',
      { ok: false, error: { code: 'prekeys_not_found', message: 'x' } },
      { ok: false, error: { code: 'mailbox_full', message: 'x' } },
    ],
    ['no result at all', 'yes', null],
  ])('treats %s as no answer (retried, never permanent)', async (_name, send, count) => {
    const link = await connectedLink(await fakeRelay({ send, 'prekeys:count': count }));
    expect(await link.send('envelope-1', identity.agentId, 'AAAA')).toMatchObject({
      ok: false,
      error: { code: 'internal' },
      permanent: false,
    });
    expect(await link.countPrekeys()).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
