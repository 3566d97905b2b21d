import { MAX_PAYLOAD_CHARS, SendRequest, type Envelope } from '../protocol';
import { firstIssue, type Handler } from './context';

/**
 * `send`: an envelope for another agent. Refused `payload_too_large` before any other check
 * (ENV3, LIM1), stored with what else arrived this tick (DLV3), answered once stored (MBX6) with
 * the receipts waiting for this connection (DLV4), then pushed.
 */
export const send: Handler<'send'> = {
  needsLogin: true,
  async handle(ctx, socket, payload, reply) {
    const from = socket.data.agentId!;
    if (
      isObject(payload) &&
      typeof payload.payload === 'string' &&
      payload.payload.length > MAX_PAYLOAD_CHARS
    ) {
      return reply(ctx.refused('payload_too_large'));
    }
    const send = SendRequest.safeParse(payload);
    if (!send.success) return reply(ctx.refused('bad_request', firstIssue(send.error)));
    // Spelled out: a spread here allocates ten times the object (≈ 650 bytes per envelope).
    const { id, to, payload: sealed } = send.data;
    const envelope: Envelope = { id, from, to, payload: sealed, sentAt: ctx.now() };
    // Stored (and then pushed) with what else arrived for this recipient in this tick (DLV3).
    const { status, depth } = await ctx.intake.accept(envelope);
    if (status === 'full') return reply(ctx.refused('mailbox_full'));
    ctx.metrics.envelopesIn.inc({ outcome: status });
    ctx.observe?.(envelope);
    // The sender's ack follows the durable enqueue (MBX6); the push follows the ack. Receipts
    // waiting for this connection ride along (DLV4).
    const riding = ctx.receipts.take(socket);
    reply(riding ? { ok: true, id: envelope.id, receipts: riding } : { ok: true, id: envelope.id });
    if (status === 'stored') ctx.metrics.mailboxDepth.observe(depth);
  },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
