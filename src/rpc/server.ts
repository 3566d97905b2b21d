import { ParleyError, toErrorShape } from '../errors';
import {
  RPC_INPUTS,
  RPC_REQUEST,
  type RpcInput,
  type RpcMethod,
  type RpcOutput,
  type RpcResponse,
} from './contract';

export type RpcHandlers = { [M in RpcMethod]: (input: RpcInput<M>) => Promise<RpcOutput<M>> };

/** Who sent a message, as the browser reports it (runtime.MessageSender). */
export interface RpcSender {
  id?: string;
  url?: string;
  tab?: unknown;
}

export interface RpcServerOptions {
  /** This extension's id: messages from anywhere else are refused. */
  extensionId: string;
  /** The extension's own origin, e.g. `chrome-extension://<id>/`: only its pages may call. */
  extensionOrigin: string;
}

/**
 * Turns the contract into a message listener. Returns `undefined` for messages
 * that are not RPC requests so other listeners can answer them.
 */
export function createRpcServer(handlers: RpcHandlers, options: RpcServerOptions) {
  return async function handle(message: unknown, sender: RpcSender): Promise<RpcResponse | undefined> {
    if (!isRequest(message)) return undefined;
    const { id, method } = message;
    try {
      if (sender.id !== options.extensionId || !sender.url?.startsWith(options.extensionOrigin)) {
        throw new ParleyError('forbidden', 'Only Parley’s own pages may talk to the agent.');
      }
      if (!Object.hasOwn(RPC_INPUTS, method)) {
        throw new ParleyError('unknown_method', `The agent has no method "${String(method).slice(0, 40)}".`);
      }
      const parsed = RPC_INPUTS[method as RpcMethod].safeParse(message.input ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : 'input';
        throw new ParleyError('bad_request', `${where}: ${issue?.message ?? 'invalid'}`);
      }
      const handler = handlers[method as RpcMethod] as (input: unknown) => Promise<unknown>;
      const output = await handler(parsed.data);
      return { id, ok: true, output } as RpcResponse;
    } catch (error) {
      return { id, ok: false, error: toErrorShape(error) };
    }
  };
}

function isRequest(
  message: unknown,
): message is { kind: typeof RPC_REQUEST; id: string; method: string; input: unknown } {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { kind?: unknown }).kind === RPC_REQUEST &&
    typeof (message as { id?: unknown }).id === 'string' &&
    typeof (message as { method?: unknown }).method === 'string'
  );
}
