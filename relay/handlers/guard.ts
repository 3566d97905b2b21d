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

/** The event's acknowledgement, which also carries the guard's own refusals. */
type Reply<E extends ClientEvent> = Ack<E> & ((refusal: Refusal<GuardCode>) => void);

/**
 * Wraps a handler in what every request goes through: an acknowledgement callback, not draining
 * (OBS5), the rate limits (LIM2, LIM7), a login and an unexpired token when the handler needs them
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
    const reply = ack as Reply<E>;
    if (ctx.inFlight.draining) return reply(ctx.refused('unavailable'));
    const allowed = ctx.rates.allowed(socket.data.bucket!, socket.data.agentId);
    if (allowed === true) return admit(socket, payload, reply);
    if (allowed === false) return reply(ctx.refused('rate_limited'));
    // The agent's bucket is in Redis (LIM7): the request is in flight while it is asked (OBS5).
    ctx.inFlight.begin();
    allowed
      .then((granted) => {
        if (granted) admit(socket, payload, reply);
        else reply(ctx.refused('rate_limited'));
      })
      .catch((e: unknown) => {
        // A bug (shared buckets answer even without Redis): logged, and the request answered.
        ctx.log.error('handler_failed', { error: errorName(e) });
        reply(ctx.refused('internal'));
      })
      .finally(() => ctx.inFlight.end());
  }

  /** Past the rate limits: the login and token checks, then the handler. */
  function admit(socket: RelaySocket, payload: unknown, reply: Reply<E>): void {
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
