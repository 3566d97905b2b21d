import { useCallback, useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import {
  RPC_EVENT,
  createRpcClient,
  type RpcInput,
  type RpcMethod,
  type RpcOutput,
  type RpcTopic,
} from '../rpc';
import type { ErrorShape } from '../errors';

export const agent = createRpcClient((message) => browser.runtime.sendMessage(message));

/** Calls `method` now and again whenever the agent announces a change to one of `topics`. */
export function useAgentQuery<M extends RpcMethod>(
  method: M,
  input: RpcInput<M>,
  topics: readonly RpcTopic[],
  /** What to show until the agent answers (a cached status): replaced by the answer. */
  initial?: RpcOutput<M>,
) {
  const [data, setData] = useState<RpcOutput<M> | undefined>(initial);
  const [error, setError] = useState<ErrorShape>();
  const key = JSON.stringify(input);

  const reload = useCallback(() => {
    agent.call(method, JSON.parse(key) as RpcInput<M>).then(
      (output) => {
        setData(output);
        setError(undefined);
      },
      (e: ErrorShape) => setError({ code: e.code, message: e.message }),
    );
  }, [method, key]);

  useEffect(() => {
    reload();
    const listener = (message: unknown) => {
      const event = message as { kind?: unknown; topic?: RpcTopic };
      if (event?.kind === RPC_EVENT && event.topic && topics.includes(event.topic)) reload();
      return undefined;
    };
    browser.runtime.onMessage.addListener(listener);
    return () => browser.runtime.onMessage.removeListener(listener);
  }, [reload, topics.join()]);

  return { data, error, reload };
}
