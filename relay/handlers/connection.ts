import { agentChannel, presenceChannel } from '../fanout';
import { errorName } from '../log';
import { agentRoom, type RelayContext, type RelaySocket } from './context';

/** A connection opened (the handshake passed the origin and capacity checks). */
export function connected(ctx: RelayContext, socket: RelaySocket): void {
  // The upgrade request (an IncomingMessage with its buffers) is not needed once the
  // handshake is read (the origin check): socket.io's "Memory usage" guide. engine.io
  // still holds the object for the connection's life (its upgrade response listens for the
  // socket's close), so what it carries is dropped too. Nor are the handshake's headers kept
  // (`handshake.auth` stays).
  const conn = socket.conn as unknown as { request: Record<string, unknown> | null };
  if (conn.request) Object.assign(conn.request, { headers: {}, rawHeaders: [], _query: {}, url: '' });
  conn.request = null;
  socket.handshake.headers = {};
  ctx.metrics.connections.inc();
  socket.data.bucket = ctx.rates.connection();
  socket.data.loginTimer = setTimeout(() => {
    if (!socket.data.agentId) socket.disconnect(true);
  }, ctx.limits.loginTimeoutMs);
}

/**
 * A connection closed: its pushes, receipts and subscriptions go; with the agent's last
 * connection on this node, its rate bucket goes, and with its last one anywhere its presence
 * turns offline (PRS2).
 */
export function disconnected(ctx: RelayContext, socket: RelaySocket): void {
  clearTimeout(socket.data.loginTimer);
  ctx.delivery.dropped(socket);
  ctx.receipts.dropped(socket);
  ctx.metrics.connections.dec();
  for (const id of socket.data.watching ?? []) {
    void ctx.fanout
      .unsubscribe(presenceChannel(id))
      .catch((e: unknown) => ctx.log.warn('presence.unsubscribe_failed', { error: errorName(e) }));
  }
  const agentId = socket.data.agentId;
  if (!agentId) return;
  ctx.metrics.authenticated.dec();
  void (async () => {
    await ctx.fanout.unsubscribe(agentChannel(agentId));
    if (ctx.socketsIn(agentRoom(agentId)).length > 0) return;
    ctx.rates.forget(agentId);
    if (!(await ctx.presence.down(agentId))) {
      await ctx.fanout.publish(presenceChannel(agentId), {
        t: 'presence',
        state: { agentId, online: false },
      });
    }
  })().catch((e: unknown) => ctx.log.warn('disconnect_cleanup_failed', { error: errorName(e) }));
}
