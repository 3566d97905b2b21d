import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors';
import { createRpcClient } from './client';
import { createRpcServer, type RpcSender } from './server';

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXTENSION_ID}/`;
const AGENT = 'A'.repeat(43);

/**
 * The transport alone: the server in front of a dispatch function that answers like the agent's
 * registry (validation, unknown methods and error mapping are the registry's, tested with the real
 * actions in src/agent/registry.test.ts).
 */
type Dispatch = (method: string, input: unknown) => Promise<unknown>;

function dispatcher(overrides: Record<string, (input: any) => Promise<unknown>> = {}): Dispatch {
  const table: Record<string, (input: any) => Promise<unknown>> = {
    'contacts.list': async () => [],
    'messages.send': async ({ contactId, text }) => ({
      id: 'm1',
      contactId,
      direction: 'out',
      text,
      at: 1,
      status: 'queued',
    }),
    ...overrides,
  };
  return async (method, input) => {
    const run = Object.hasOwn(table, method) ? table[method] : undefined;
    if (!run) throw new ParleyError('unknown_method', 'no such method');
    return run(input);
  };
}

function connect(
  h: Dispatch,
  sender: RpcSender = { id: EXTENSION_ID, url: `${ORIGIN}sidepanel.html` },
  timeoutMs?: number,
) {
  const server = createRpcServer(h, { extensionId: EXTENSION_ID, extensionOrigin: ORIGIN });
  // The transport is a structured clone, as the browser's messaging is.
  return createRpcClient(async (message) => server(structuredClone(message), sender), { timeoutMs });
}

describe('rpc', () => {
  it('[RPC1] calls a method and returns its typed output', async () => {
    const client = connect(dispatcher());
    const message = await client.call('messages.send', { contactId: AGENT, text: 'hello' });
    expect(message).toMatchObject({ contactId: AGENT, text: 'hello', direction: 'out' });
  });

  it('[RPC4] refuses senders that are not the extension’s own pages', async () => {
    const h = dispatcher();
    const fromPage = connect(h, { id: EXTENSION_ID, url: 'https://evil.example/' });
    await expect(fromPage.call('contacts.list', {})).rejects.toMatchObject({ code: 'forbidden' });
    const fromOther = connect(h, { id: 'otherextension', url: `${ORIGIN}popup.html` });
    await expect(fromOther.call('contacts.list', {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('[RPC5] carries typed errors and hides unexpected ones', async () => {
    const client = connect(
      dispatcher({
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
    const server = createRpcServer(dispatcher(), { extensionId: EXTENSION_ID, extensionOrigin: ORIGIN });
    expect(await server({ kind: 'something-else' }, { id: EXTENSION_ID, url: ORIGIN })).toBeUndefined();
    const client = createRpcClient(async () => ({ id: 'not-mine', ok: true, output: [] }));
    await expect(client.call('contacts.list', {})).rejects.toMatchObject({ code: 'not_ready' });
  });
});
