import { signedPrekeyIsValid } from '../prekeys';
import { prekeyUploadWireSchema } from '../protocol';
import { firstIssue, type Handler } from './context';

/** `prekeys:publish`: the logged-in agent's own prekeys, signed by its identity key (PRK1, PRK3). */
export const prekeysPublish: Handler<'prekeys:publish'> = {
  needsLogin: true,
  async handle(ctx, socket, payload, reply) {
    const upload = prekeyUploadWireSchema.safeParse(payload);
    if (!upload.success) return reply(ctx.refused('bad_request', firstIssue(upload.error)));
    if (upload.data.agentId !== socket.data.agentId) return reply(ctx.refused('agent_mismatch'));
    if (!signedPrekeyIsValid(upload.data.agentId, upload.data.signedPrekey)) {
      return reply(
        ctx.refused(
          'bad_signature',
          'The signed prekey is not signed by this agent; sign it with the identity key.',
        ),
      );
    }
    reply({ ok: true, oneTimePrekeys: await ctx.prekeys.publish(upload.data) });
  },
};
