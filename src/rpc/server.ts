import { ParleyError, toErrorShape } from '../errors';
import { RPC_REQUEST, type RpcResponse } from './contract';

/** Runs one action by id on untrusted input: the agent's action registry (src/agent). */
export type RpcDispatch = (method: string, input: unknown) => Promise<unknown>;

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
 * Turns the action registry into a message listener for the extension's own pages. Returns
 * `undefined` for messages that are not RPC requests so other listeners can answer them. Every
 * answer is `{ id, ok: true, output }` or `{ id, ok: false, error: { code, message } }`.
 */
export function createRpcServer(dispatch: RpcDispatch, options: RpcServerOptions) {
  return async function handle(message: unknown, sender: RpcSender): Promise<RpcResponse | undefined> {
    if (!isRequest(message)) return undefined;
    const { id, method } = message;
    try {
      // [RPC4] Only Parley's own pages: not a content script (it has a tab), not another extension.
      if (sender.id !== options.extensionId || !sender.url?.startsWith(options.extensionOrigin)) {
        throw new ParleyError('forbidden', 'Only Parley’s own pages may talk to the agent.');
      }
      const output = await dispatch(method, message.input);
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
