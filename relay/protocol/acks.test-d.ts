import type { Socket } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import type { AckErrorCode, AckOf, ClientToServerEvents, ServerToClientEvents } from './index';

declare const socket: Socket<ServerToClientEvents, ClientToServerEvents>;

describe('the relay acknowledgements are typed per event', () => {
  it('types emitWithAck answers by event, success fields and error codes', () => {
    expectTypeOf(socket.emitWithAck('send', { id: 'x', to: 'y', payload: 'z' })).resolves.toEqualTypeOf<
      AckOf<'send'>
    >();
    expectTypeOf<Extract<AckOf<'prekeys:count'>, { ok: true }>['oneTimePrekeys']>().toEqualTypeOf<number>();
    expectTypeOf<AckErrorCode<'prekeys:fetch'>>().toEqualTypeOf<
      | 'rate_limited'
      | 'unavailable'
      | 'internal'
      | 'not_authenticated'
      | 'firebase_token_expired'
      | 'bad_request'
      | 'prekeys_not_found'
    >();
  });

  it('refuses unknown events, wrong payloads and codes an event cannot answer', () => {
    // @ts-expect-error: there is no such event
    void socket.emitWithAck('mailbox:dump', {});
    // @ts-expect-error: the payload must be base64url text, not an object
    void socket.emitWithAck('send', { id: 'x', to: 'y', payload: { text: 'hi' } });
    // @ts-expect-error: prekeys:count is answered with a count, not a bundle
    expectTypeOf<Extract<AckOf<'prekeys:count'>, { ok: true }>>().toHaveProperty('bundle');
    // @ts-expect-error: a challenge is never refused as mailbox_full
    const code: AckErrorCode<'auth:challenge'> = 'mailbox_full';
    void code;
  });
});
