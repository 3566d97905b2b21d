import { describe, expectTypeOf, it } from 'vitest';
import type { RpcClient } from './client';
import type { ContactView, DiagnosticsView, MessageView, RpcMethod } from './contract';

declare const client: RpcClient;

describe('[RPC8] the contract is checked at compile time', () => {
  it('types outputs by method', () => {
    expectTypeOf(client.call('contacts.list', {})).resolves.toEqualTypeOf<ContactView[]>();
    expectTypeOf(
      client.call('messages.send', { contactId: 'x', text: 'y' }),
    ).resolves.toEqualTypeOf<MessageView>();
    // Derived from the actions (ACT1): what `run` resolves to is what the caller gets.
    expectTypeOf(
      client.call('contacts.block', { contactId: 'x', blocked: true }),
    ).resolves.toEqualTypeOf<ContactView>();
    expectTypeOf(client.call('contacts.remove', { contactId: 'x' })).resolves.toEqualTypeOf<{
      removed: string;
    }>();
    expectTypeOf(client.call('diagnostics.get', {})).resolves.toEqualTypeOf<DiagnosticsView>();
    expectTypeOf<'contacts.rename'>().toExtend<RpcMethod>();
  });

  it('refuses unknown methods and wrong payloads', () => {
    // @ts-expect-error: there is no such method
    void client.call('vault.dump', {});
    // @ts-expect-error: text must be a string
    void client.call('messages.send', { contactId: 'x', text: 42 });
    // @ts-expect-error: contactId is required
    void client.call('messages.list', {});
    // @ts-expect-error: unknown field
    void client.call('invite.accept', { code: 'c', admin: true });
    // @ts-expect-error: blocked is a boolean
    void client.call('contacts.block', { contactId: 'x', blocked: 'yes' });
    // @ts-expect-error: the data-deletion phrase is exact
    void client.call('data.deleteAll', { confirm: 'yes' });
  });
});
