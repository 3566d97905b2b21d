import { PrekeyCountRequest } from '../protocol';
import type { Handler } from './context';

/** `prekeys:count`: how many one-time prekeys the agent has left at the relay (PRK4). */
export const prekeysCount: Handler<'prekeys:count'> = {
  needsLogin: true,
  async handle(ctx, socket, payload, reply) {
    if (!PrekeyCountRequest.safeParse(payload ?? {}).success) return reply(ctx.refused('bad_request'));
    reply({ ok: true, oneTimePrekeys: await ctx.prekeys.count(socket.data.agentId!) });
  },
};
