import { checkToken } from '../firebase';
import { RefreshRequest } from '../protocol';
import { firstIssue, type Handler } from './context';

/**
 * `auth:refresh`: a fresh Firebase token for the same uid, on the same connection (FBA5). Allowed
 * past the old token's expiry (that is its point), but only once logged in.
 */
export const refresh: Handler<'auth:refresh'> = {
  needsLogin: false,
  async handle(ctx, socket, payload, reply) {
    if (!socket.data.agentId) return reply(ctx.refused('not_authenticated'));
    const request = RefreshRequest.safeParse(payload);
    if (!request.success) return reply(ctx.refused('bad_request', firstIssue(request.error)));
    if (!ctx.tokenVerifier) return reply({ ok: true, expiresAt: 0 });
    const verified = await checkToken(ctx.tokenVerifier, request.data.firebaseToken);
    if ('code' in verified) return reply(ctx.refused(verified.code, verified.message));
    if (verified.uid !== socket.data.uid) return reply(ctx.refused('firebase_uid_mismatch'));
    socket.data.tokenExpiresAt = verified.expiresAt;
    reply({ ok: true, expiresAt: verified.expiresAt });
  },
};
