import { checkToken } from '../firebase';
import { agentChannel, presenceChannel } from '../fanout';
import { errorName } from '../log';
import { LoginRequest } from '../protocol';
import { agentRoom, firstIssue, type Handler } from './context';

/**
 * `auth:login`: the signed challenge (AUTH1–4), then the Firebase token when the relay needs one
 * (FBA1–3), then the per-agent connection cap (LIM3). Logged in, the connection joins its agent's
 * room and channel, the agent's presence turns online with its first connection (PRS2), and the
 * mailbox is drained to it (NOD2).
 */
export const login: Handler<'auth:login'> = {
  needsLogin: false,
  async handle(ctx, socket, payload, reply) {
    if (socket.data.agentId) return reply(ctx.refused('already_authenticated'));
    const login = LoginRequest.safeParse(payload);
    if (!login.success) return reply(ctx.refused('bad_request', firstIssue(login.error)));
    const failure = ctx.challenges.verify(socket.id, login.data);
    if (failure) {
      ctx.log.info('login_refused', { code: failure.code });
      return reply(ctx.refused(failure.code, failure.message));
    }
    const { agentId, firebaseToken } = login.data;
    if (ctx.tokenVerifier) {
      if (!firebaseToken) return reply(ctx.refused('firebase_token_required'));
      const verified = await checkToken(ctx.tokenVerifier, firebaseToken);
      if ('code' in verified) return reply(ctx.refused(verified.code, verified.message));
      if (!(await ctx.bindings.bind(agentId, verified.uid))) {
        ctx.log.info('login_refused', { code: 'firebase_uid_mismatch' });
        return reply(ctx.refused('firebase_uid_mismatch'));
      }
      socket.data.uid = verified.uid;
      socket.data.tokenExpiresAt = verified.expiresAt;
    }
    if (ctx.socketsIn(agentRoom(agentId)).length >= ctx.limits.maxConnectionsPerAgent) {
      return reply(ctx.refused('too_many_connections'));
    }
    socket.data.agentId = agentId;
    clearTimeout(socket.data.loginTimer);
    delete socket.data.loginTimer;
    ctx.metrics.authenticated.inc();
    const first = ctx.socketsIn(agentRoom(agentId)).length === 0;
    await socket.join(agentRoom(agentId));
    // Subscribed before the drain reads the mailbox: anything stored after the read is pushed.
    await ctx.fanout.subscribe(agentChannel(agentId));
    if (first) {
      await ctx.presence.up(agentId);
      await ctx.fanout.publish(presenceChannel(agentId), { t: 'presence', state: { agentId, online: true } });
    }
    reply({ ok: true, agentId });
    // Not awaited: a drain lasts as long as the recipient takes to acknowledge, and is not
    // a request in flight that shutdown should wait for.
    void ctx.delivery
      .drain(socket, agentId)
      .catch((e: unknown) => ctx.log.warn('drain_failed', { error: errorName(e) }));
  },
};
