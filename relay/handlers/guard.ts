import { errorName } from '../log';
import {
  relayError,
  type Ack,
  type ANY_REQUEST_ERRORS,
  type ClientEvent,
  type LOGGED_IN_ERRORS,
} from '../protocol';
import type { Handler, Refusal, RelayContext, RelaySocket } from './context';

/** What socket.io calls for one client event, with the connection as `this`. */
export type Listener = (this: RelaySocket, payload: unknown, ack: unknown) => void;

type GuardCode = (typeof ANY_REQUEST_ERRORS)[number] | (typeof LOGGED_IN_ERRORS)[number];

/**
 * Wraps a handler in what every request goes through: an acknowledgement callback, not draining
 * (OBS5), the rate limits (LIM2), a login and an unexpired token when the handler needs them
 * (FBA5), and an answer when the handler fails (`unavailable` for a store failure, OBS3; else
 * `internal`). The handler never throws into socket.io. Made once per event for all connections.
 */
export function guard<E extends ClientEvent>(ctx: RelayContext, handler: Handler<E>): Listener {
  return function (this: RelaySocket, payload: unknown, ack: unknown): void {
    serve(this, payload, ack);
  };

  function serve(socket: RelaySocket, payload: unknown, ack: unknown): void {
    if (typeof ack !== 'function') {
      const error = relayError('bad_request', 'Every request needs an acknowledgement callback.');
      ctx.metrics.rejections.inc({ code: error.code });
      socket.emit('relay:error', error);
      return;
    }
    // socket.io hands a listener registered with `onAny` the client's callback untyped; the
    // answers below and the handler's are typed by the event's acknowledgement (ACKS).
    const reply = ack as Ack<E> & ((refusal: Refusal<GuardCode>) => void);
    if (ctx.inFlight.draining) return reply(ctx.refused('unavailable'));
    if (!ctx.rates.allowed(socket.data.bucket!, socket.data.agentId))
      return reply(ctx.refused('rate_limited'));
    if (handler.needsLogin) {
      if (!socket.data.agentId) return reply(ctx.refused('not_authenticated'));
      if (ctx.tokenVerifier && ctx.now() >= (socket.data.tokenExpiresAt ?? 0)) {
        return reply(ctx.refused('firebase_token_expired'));
      }
    }
    ctx.inFlight.begin();
    handler.handle(ctx, socket, payload, reply).then(
      () => ctx.inFlight.end(),
      (e: unknown) => {
        try {
          const unavailable = isStoreFailure(e);
          ctx.log[unavailable ? 'warn' : 'error']('handler_failed', {
            error: errorName(e),
          });
          reply(ctx.refused(unavailable ? 'unavailable' : 'internal'));
        } finally {
          ctx.inFlight.end();
        }
      },
    );
  }
}

/** Redis unreachable or refusing: the client should retry, not report a bug (OBS3). */
export function isStoreFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /MaxRetriesPerRequest|Connection is closed|ECONNREFUSED|ECONNRESET|LOADING|READONLY|CLUSTERDOWN/.test(
      `${error.name} ${error.message}`,
    ) || error.name === 'ReplyError'
  );
}
