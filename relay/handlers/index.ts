import { CLIENT_EVENTS, relayError, type ClientEvent } from '../protocol';
import { challenge } from './challenge';
import type { Handler, RelayContext, RelaySocket } from './context';
import { guard, type Listener } from './guard';
import { login } from './login';
import { prekeysCount } from './prekeys-count';
import { prekeysFetch } from './prekeys-fetch';
import { prekeysPublish } from './prekeys-publish';
import { presenceSubscribe } from './presence-subscribe';
import { presenceUnsubscribe } from './presence-unsubscribe';
import { refresh } from './refresh';
import { send } from './send';

export { connected, disconnected } from './connection';
export { agentRoom, presenceRoom, type RelayContext, type RelaySocket, type SocketData } from './context';
export { InFlight } from './in-flight';

/** One handler per client event; the type makes a missing one a compile error. */
export const HANDLERS: { readonly [E in ClientEvent]: Handler<E> } = {
  'auth:challenge': challenge,
  'auth:login': login,
  'auth:refresh': refresh,
  send,
  'prekeys:publish': prekeysPublish,
  'prekeys:fetch': prekeysFetch,
  'prekeys:count': prekeysCount,
  'presence:subscribe': presenceSubscribe,
  'presence:unsubscribe': presenceUnsubscribe,
};

/**
 * The one listener every connection has for client events (`socket.onAny`): a listener per event
 * per connection would cost each idle connection a table of its own. Routes are made once.
 */
export function createDispatch(ctx: RelayContext) {
  const route = <E extends ClientEvent>(event: E): [string, Listener] => [event, guard(ctx, HANDLERS[event])];
  const routes = new Map(CLIENT_EVENTS.map(route));
  return function dispatch(this: RelaySocket, event: unknown, ...args: unknown[]): void {
    const listener = typeof event === 'string' ? routes.get(event) : undefined;
    if (listener) return listener.call(this, args[0], args[1]);
    const error = relayError(
      'unknown_event',
      `The relay does not know the event "${String(event).slice(0, 40)}".`,
    );
    const ack = args.at(-1);
    ctx.metrics.rejections.inc({ code: error.code });
    if (typeof ack === 'function') return void ack({ ok: false, error });
    this.emit('relay:error', error);
  };
}
