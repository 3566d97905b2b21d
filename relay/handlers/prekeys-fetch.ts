import { PrekeyFetchRequest } from '../protocol';
import { firstIssue, type Handler } from './context';

/** `prekeys:fetch`: another agent's bundle, taking one of its one-time prekeys (PRK2, PRK4). */
export const prekeysFetch: Handler<'prekeys:fetch'> = {
  needsLogin: true,
  async handle(ctx, _socket, payload, reply) {
    const request = PrekeyFetchRequest.safeParse(payload);
    if (!request.success) return reply(ctx.refused('bad_request', firstIssue(request.error)));
    const bundle = await ctx.prekeys.take(request.data.agentId);
    if (!bundle) return reply(ctx.refused('prekeys_not_found'));
    reply({ ok: true, bundle });
  },
};
