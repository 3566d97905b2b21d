import { presenceChannel } from '../fanout';
import { PresenceSubscribeRequest } from '../protocol';
import { firstIssue, presenceRoom, type Handler } from './context';

/** `presence:subscribe`: the presence of agents named by id, and their changes from now on (PRS1). */
export const presenceSubscribe: Handler<'presence:subscribe'> = {
  needsLogin: true,
  async handle(ctx, socket, payload, reply) {
    const request = PresenceSubscribeRequest.safeParse(payload);
    if (!request.success) return reply(ctx.refused('bad_request', firstIssue(request.error)));
    const watching = (socket.data.watching ??= new Set());
    const fresh = [...new Set(request.data.agentIds)].filter((id) => !watching.has(id));
    if (watching.size + fresh.length > ctx.limits.maxPresenceSubscriptions) {
      return reply(ctx.refused('rate_limited', 'Too many presence subscriptions on this connection.'));
    }
    for (const id of fresh) {
      watching.add(id);
      await socket.join(presenceRoom(id));
      await ctx.fanout.subscribe(presenceChannel(id));
    }
    const online = await ctx.presence.isOnline(request.data.agentIds);
    reply({
      ok: true,
      presence: request.data.agentIds.map((agentId, i) => ({ agentId, online: online[i]! })),
    });
  },
};
