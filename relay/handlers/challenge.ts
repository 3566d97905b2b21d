import { ChallengeRequest } from '../protocol';
import type { Handler } from './context';

/** `auth:challenge`: a single-use nonce bound to this connection, to sign for `auth:login` (AUTH1). */
export const challenge: Handler<'auth:challenge'> = {
  needsLogin: false,
  async handle(ctx, socket, payload, reply) {
    if (!ChallengeRequest.safeParse(payload ?? {}).success) return reply(ctx.refused('bad_request'));
    reply({ ok: true, ...ctx.challenges.issue(socket.id) });
  },
};
