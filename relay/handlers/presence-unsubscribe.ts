import { presenceChannel } from '../fanout';
import { PresenceSubscribeRequest } from '../protocol';
import { firstIssue, presenceRoom, type Handler } from './context';

/** `presence:unsubscribe`: stops the changes of agents this connection watched (PRS1). */
export const presenceUnsubscribe: Handler<'presence:unsubscribe'> = {
  needsLogin: true,
  async handle(ctx, socket, payload, reply) {
    const request = PresenceSubscribeRequest.safeParse(payload);
    if (!request.success) return reply(ctx.refused('bad_request', firstIssue(request.error)));
    for (const id of request.data.agentIds) {
      if (!socket.data.watching?.delete(id)) continue;
      await socket.leave(presenceRoom(id));
      await ctx.fanout.unsubscribe(presenceChannel(id));
    }
    reply({ ok: true });
  },
};
