import { ParleyError, isErrorShape, type ErrorShape } from '../errors';
import { RPC_REQUEST, type RpcInput, type RpcMethod, type RpcOutput, type RpcResponse } from './contract';

/** Sends one message to the background and resolves with its reply (browser.runtime.sendMessage). */
export type RpcTransport = (message: unknown) => Promise<unknown>;

export interface RpcClient {
  call<M extends RpcMethod>(method: M, input: RpcInput<M>): Promise<RpcOutput<M>>;
}

/**
 * Each call carries an id and a deadline: the service worker may be asleep or
 * gone, and a UI must never wait forever.
 */
export function createRpcClient(transport: RpcTransport, { timeoutMs = 15_000 } = {}): RpcClient {
  return {
    async call(method, input) {
      const id = crypto.randomUUID();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new ParleyError('timeout', `The agent did not answer "${method}" in time. Try again.`)),
          timeoutMs,
        );
      });
      try {
        const reply = (await Promise.race([
          transport({ kind: RPC_REQUEST, id, method, input }),
          deadline,
        ])) as RpcResponse<typeof method> | undefined;
        if (!reply || reply.id !== id) {
          throw new ParleyError('not_ready', 'The agent is not running yet. Reopen this window in a moment.');
        }
        if (reply.ok) return reply.output;
        const error = isErrorShape(reply.error)
          ? reply.error
          : { code: 'internal' as const, message: 'Unknown error' };
        throw new ParleyError(error.code, error.message, {
          retryAfterMs: (error as ErrorShape).retryAfterMs,
          ...(typeof (error as ErrorShape).relayUrl === 'string' && {
            relayUrl: (error as ErrorShape).relayUrl,
          }),
          ...(typeof (error as ErrorShape).field === 'string' && { field: (error as ErrorShape).field }),
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
