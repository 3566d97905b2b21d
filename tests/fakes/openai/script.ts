/**
 * What the fake answers, one scripted reply per request, in order. Each reply is written in the shape the
 * request asked for: a Chat Completions JSON body, or Server-Sent Events when the request says `stream: true`.
 */
export type ScriptedReply =
  /** A tool call. `arguments` as a string is sent verbatim (truncated or malformed JSON included). */
  | {
      kind: 'tool';
      name?: string;
      arguments: string | Record<string, unknown>;
      /** Streamed in pieces of this many characters (SSE only); default 16. */
      chunkSize?: number;
      /** Streamed text sent before the tool call (SSE) or as `content` (JSON). */
      content?: string;
      /** SSE: after the text, wait for `release()` before the tool call (a reply seen mid-stream). */
      hold?: boolean;
    }
  /** A plain text answer with no tool call. */
  | { kind: 'text'; content: string }
  /** An OpenAI-shaped error body with this status; `retryAfter` (seconds) as the `Retry-After` header. */
  | { kind: 'error'; status: number; message?: string; type?: string; retryAfter?: number | string }
  /** Any body at all (for a non-JSON answer). */
  | { kind: 'raw'; status: number; contentType: string; body: string }
  /** Never answers; the request ends when the client gives up. */
  | { kind: 'hang' };

export const DEFAULT_TOOL = 'submit_command';

const ERROR_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_denied',
  404: 'not_found_error',
  429: 'rate_limit_exceeded',
};

export function errorBody(status: number, message?: string, type?: string): unknown {
  return {
    error: {
      message: message ?? (status === 401 ? 'Incorrect API key provided.' : `fake error ${status}`),
      type: type ?? ERROR_TYPE[status] ?? 'server_error',
      param: null,
      code: status === 401 ? 'invalid_api_key' : null,
    },
  };
}

let serial = 0;
const nextId = (prefix: string) => `${prefix}${(++serial).toString(36).padStart(6, '0')}`;

export function toolArguments(reply: Extract<ScriptedReply, { kind: 'tool' }>): string {
  return typeof reply.arguments === 'string' ? reply.arguments : JSON.stringify(reply.arguments);
}

/** A whole (non-streamed) completion. */
export function completionJson(reply: Extract<ScriptedReply, { kind: 'tool' | 'text' }>, model: string) {
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: reply.content, refusal: null }
      : {
          role: 'assistant',
          content: reply.content ?? null,
          refusal: null,
          tool_calls: [
            {
              id: nextId('call_'),
              type: 'function',
              function: { name: reply.name ?? DEFAULT_TOOL, arguments: toolArguments(reply) },
            },
          ],
        };
  return {
    id: nextId('chatcmpl-'),
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      { index: 0, message, logprobs: null, finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls' },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

/** The same completion as the chunks a streamed answer is made of. */
export function completionChunks(
  reply: Extract<ScriptedReply, { kind: 'tool' | 'text' }>,
  model: string,
): unknown[] {
  const id = nextId('chatcmpl-');
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '' })];
  const content = reply.content ?? '';
  for (let i = 0; i < content.length; i += 8) chunks.push(chunk({ content: content.slice(i, i + 8) }));
  if (reply.kind === 'text') {
    chunks.push(chunk({}, 'stop'));
    return chunks;
  }
  const args = toolArguments(reply);
  const size = Math.max(1, reply.chunkSize ?? 16);
  chunks.push(
    chunk({
      tool_calls: [
        {
          index: 0,
          id: nextId('call_'),
          type: 'function',
          function: { name: reply.name ?? DEFAULT_TOOL, arguments: '' },
        },
      ],
    }),
  );
  for (let i = 0; i < args.length; i += size) {
    chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + size) } }] }));
  }
  chunks.push(chunk({}, 'tool_calls'));
  return chunks;
}
