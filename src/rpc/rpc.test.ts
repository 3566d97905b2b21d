import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import { createRpcClient } from './client';
import { createRpcServer, type RpcHandlers, type RpcSender } from './server';

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXTENSION_ID}/`;
const AGENT = 'A'.repeat(43);

function handlers(overrides: Partial<RpcHandlers> = {}): RpcHandlers {
  const unused = async () => {
    throw new Error('not used in this test');
  };
  return {
    'status.get': unused,
    'vault.setUp': unused,
    'vault.unlock': unused,
    'vault.lock': unused,
    'contacts.list': async () => [],
    'conversations.list': unused,
    'invite.create': unused,
    'invite.accept': unused,
    'messages.list': unused,
    'contacts.verify': unused,
    'messages.search': unused,
    'messages.send': async ({ contactId, text }) => ({
      id: 'm1',
      contactId,
      direction: 'out',
      text,
      at: 1,
      status: 'queued',
    }),
    'calendar.overview': unused,
    'calendar.connect': unused,
    'calendar.disconnect': unused,
    'calendar.sync': unused,
    'calendar.select': unused,
    'negotiations.list': unused,
    'negotiations.start': unused,
    'negotiations.decide': unused,
    'negotiations.cancel': unused,
    'negotiations.reschedule': unused,
    'data.export': unused,
    'data.import': unused,
    'data.prune': unused,
    'data.deleteAll': unused,
    'preferences.get': unused,
    'preferences.set': unused,
    'settings.get': unused,
    'settings.set': unused,
    'account.status': unused,
    'account.signIn': unused,
    'account.signOut': unused,
    ...overrides,
  };
}

function connect(
  h: RpcHandlers,
  sender: RpcSender = { id: EXTENSION_ID, url: `${ORIGIN}sidepanel.html` },
  timeoutMs?: number,
) {
  const server = createRpcServer(h, { extensionId: EXTENSION_ID, extensionOrigin: ORIGIN });
  // The transport is a structured clone, as the browser's messaging is.
  return createRpcClient(async (message) => server(structuredClone(message), sender), { timeoutMs });
}

describe('rpc', () => {
  it('[RPC1] calls a method and returns its typed output', async () => {
    const client = connect(handlers());
    const message = await client.call('messages.send', { contactId: AGENT, text: 'hello' });
    expect(message).toMatchObject({ contactId: AGENT, text: 'hello', direction: 'out' });
  });

  it('[RPC2] validates input at the server, whatever the client compiled', async () => {
    const client = connect(handlers());
    await expect(client.call('messages.send', { contactId: 'nobody', text: 'hi' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('contactId'),
    });
    await expect(
      client.call('messages.send', { contactId: AGENT, text: 'x'.repeat(4001) }),
    ).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(client.call('contacts.list', { extra: true } as never)).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(
      client.call('account.signIn', { email: 'not an email', password: 'secret' }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('email') });
    // Firebase settings come whole: an API key without its project is refused, naming the field.
    await expect(
      client.call('settings.set', {
        firebase: { apiKey: 'key', projectId: '', authDomain: '', emulatorUrl: '' },
      }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('firebase.projectId') });
  });

  it('[RPC3] refuses an unknown method', async () => {
    const client = connect(handlers());
    await expect(client.call('vault.dump' as never, {} as never)).rejects.toMatchObject({
      code: 'unknown_method',
    });
    await expect(client.call('__proto__' as never, {} as never)).rejects.toMatchObject({
      code: 'unknown_method',
    });
  });

  it('[RPC4] refuses senders that are not the extension’s own pages', async () => {
    const h = handlers();
    const fromPage = connect(h, { id: EXTENSION_ID, url: 'https://evil.example/' });
    await expect(fromPage.call('contacts.list', {})).rejects.toMatchObject({ code: 'forbidden' });
    const fromOther = connect(h, { id: 'otherextension', url: `${ORIGIN}popup.html` });
    await expect(fromOther.call('contacts.list', {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('[RPC5] carries typed errors and hides unexpected ones', async () => {
    const client = connect(
      handlers({
        'contacts.list': async () => {
          throw new ParleyError('relay_unavailable', 'The relay is offline.');
        },
        'status.get': async () => {
          throw new Error('secret internal detail');
        },
      }),
    );
    await expect(client.call('contacts.list', {})).rejects.toMatchObject({
      code: 'relay_unavailable',
      message: 'The relay is offline.',
    });
    const failure = await client.call('status.get', {}).catch((e: ParleyError) => e);
    expect(failure).toMatchObject({ code: 'internal' });
    expect(String((failure as Error).message)).not.toContain('secret');
  });

  it('[RPC6] times out when the agent does not answer', async () => {
    const client = createRpcClient(() => new Promise(() => {}), { timeoutMs: 20 });
    await expect(client.call('contacts.list', {})).rejects.toMatchObject({ code: 'timeout' });
  });

  it('[RPC7] ignores messages that are not RPC requests, and rejects a reply to another request', async () => {
    const server = createRpcServer(handlers(), { extensionId: EXTENSION_ID, extensionOrigin: ORIGIN });
    expect(await server({ kind: 'something-else' }, { id: EXTENSION_ID, url: ORIGIN })).toBeUndefined();
    const client = createRpcClient(async () => ({ id: 'not-mine', ok: true, output: [] }));
    await expect(client.call('contacts.list', {})).rejects.toMatchObject({ code: 'not_ready' });
  });
});
