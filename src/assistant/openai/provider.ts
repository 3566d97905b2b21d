import OpenAI from 'openai';
import { createLogger } from '../../log';
import { CommandSchema, type Command, type CommandContext, type Understanding } from '../command';
import { cacheKey, type UnderstandingCache } from './cache';
import { UnderstandingAbortedError, type OpenAiNote } from './errors';
import type { RateLimiter } from './limiter';
import { buildMessages, SUBMIT_COMMAND, TOOL_NAME } from './prompt';
import { redactCommand, restoreCommand, restoreText, type Redacted } from '../redact';

const log = createLogger('assistant').child('openai');

export interface OpenAiUnderstandingOptions {
  baseURL: string;
  /** The person's own key, from the vault. Empty or absent: every command goes to the fallback. */
  apiKey: string | undefined;
  model: string;
  /** Who answers when the model cannot (the built-in parser). */
  fallback: Understanding;
  fetch?: typeof globalThis.fetch;
  cache?: UnderstandingCache;
  /**
   * Called once per command that goes to the model, with exactly the words it receives (redacted): the
   * person's activity log keeps them, so they can see what left the device.
   */
  record?: (request: { at: number; model: string; text: string }) => void;
  limiter?: RateLimiter;
  /** Clock for `Retry-After` dates. */
  now?: () => number;
  /** How backoff waits; tests pass one that does not. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Requests per command, retries of 429/5xx included (default 3). */
  maxAttempts?: number;
  /** First backoff (default 500 ms), doubled each retry. */
  baseDelayMs?: number;
  /** A longer `Retry-After` than this is not waited for: the fallback answers (default 10 s). */
  maxDelayMs?: number;
  /** Per request (default 20 s). */
  timeoutMs?: number;
}

export interface UnderstandingResult {
  command: Command;
  provider: Understanding['provider'];
  /** Why the fallback answered. */
  note?: OpenAiNote;
}

export interface UnderstandOptions {
  signal?: AbortSignal;
  /**
   * [CHT2] The text the model writes besides its tool call, all of it so far, each time more arrives, with
   * placeholders put back as the person typed them.
   */
  onText?: (text: string) => void;
}

export interface OpenAiUnderstanding extends Understanding {
  readonly provider: 'openai';
  understandWithNote(
    text: string,
    context: CommandContext,
    options?: UnderstandOptions,
  ): Promise<UnderstandingResult>;
}

/** A reply that failed; `note` when we know why, else a bug. */
class Failure extends Error {
  constructor(
    readonly note: OpenAiNote,
    options?: { cause?: unknown },
  ) {
    super(note, options);
  }
}

type Invalid = { ok: false; error: string; call?: { id: string; name: string; arguments: string } };
type Reply = { ok: true; command: Command } | Invalid;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Understanding through any OpenAI-compatible endpoint (docs/protocol/assistant.md AST1–9): the redacted
 * command goes out, one forced `submit_command` call comes back streamed, code validates it, and anything
 * that goes wrong ends with the fallback's answer and a note saying why.
 */
export function openAiUnderstanding(opts: OpenAiUnderstandingOptions): OpenAiUnderstanding {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 10_000;
  const client = opts.apiKey
    ? new OpenAI({
        baseURL: opts.baseURL,
        apiKey: opts.apiKey,
        // The key is the person's own, kept in the vault; the extension is the only client.
        dangerouslyAllowBrowser: true,
        maxRetries: 0,
        timeout: opts.timeoutMs ?? 20_000,
        ...(opts.fetch && { fetch: opts.fetch }),
      })
    : undefined;

  async function fallback(text: string, context: CommandContext, note: OpenAiNote, signal?: AbortSignal) {
    log.info('fallback', { note });
    const command = await opts.fallback.understand(text, context, signal);
    return { command, provider: opts.fallback.provider, note } satisfies UnderstandingResult;
  }

  /** One streamed request; the tool call reassembled from its argument deltas. */
  async function request(
    messages: OpenAI.Chat.ChatCompletionMessageParam[],
    options: UnderstandOptions,
    redacted: Redacted,
  ): Promise<Reply> {
    const stream = await client!.chat.completions.create(
      {
        model: opts.model,
        messages,
        tools: [SUBMIT_COMMAND],
        tool_choice: { type: 'function', function: { name: TOOL_NAME } },
        parallel_tool_calls: false,
        stream: true,
        temperature: 0,
      },
      { signal: options.signal },
    );
    const calls: { id: string; name: string; arguments: string }[] = [];
    let written = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (!delta) continue;
      if (delta.content && options.onText) {
        written += delta.content;
        options.onText(restoreText(written, redacted));
      }
      for (const part of delta.tool_calls ?? []) {
        const call = (calls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) call.id = part.id;
        if (part.function?.name) call.name += part.function.name;
        if (part.function?.arguments) call.arguments += part.function.arguments;
      }
    }
    const call = calls.find(Boolean);
    if (!call) return { ok: false, error: `No tool call. Call ${TOOL_NAME} exactly once.` };
    const named = { ...call, id: call.id || 'call_0' };
    if (call.name !== TOOL_NAME) {
      return { ok: false, error: `Unknown tool "${call.name}". Call ${TOOL_NAME}.`, call: named };
    }
    let json: unknown;
    try {
      json = JSON.parse(call.arguments);
    } catch {
      // Truncated or malformed arguments are the model's mistake, answered by the repair request (AST4).
      return { ok: false, error: 'The arguments are not valid JSON.', call: named };
    }
    const parsed = CommandSchema.safeParse(json);
    if (parsed.success) return { ok: true, command: parsed.data };
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, error: `The arguments do not match the schema: ${issues.join('; ')}`, call: named };
  }

  /** A request, retried on 429 and 5xx with backoff that honours `Retry-After` (AST5). */
  async function withRetry(
    messages: OpenAI.Chat.ChatCompletionMessageParam[],
    options: UnderstandOptions,
    redacted: Redacted,
  ): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(messages, options, redacted);
      } catch (err) {
        if (options.signal?.aborted || err instanceof OpenAI.APIUserAbortError) {
          throw new UnderstandingAbortedError({ cause: err });
        }
        const note = classify(err);
        const retryable = note === 'rate-limited' || note === 'server-error';
        if (!retryable || attempt >= maxAttempts) throw new Failure(note, { cause: err });
        const hinted = retryAfterMs(err, now);
        if (hinted !== undefined && hinted > maxDelay) throw new Failure(note, { cause: err });
        const delay = hinted ?? Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
        log.info('retry', {
          attempt,
          delay_ms: delay,
          status: (err as InstanceType<typeof OpenAI.APIError>).status ?? 0,
        });
        try {
          await sleep(delay, options.signal);
        } catch (cause) {
          throw new UnderstandingAbortedError({ cause });
        }
      }
    }
  }

  async function understandWithNote(
    text: string,
    context: CommandContext,
    options: UnderstandOptions = {},
  ): Promise<UnderstandingResult> {
    if (options.signal?.aborted) throw new UnderstandingAbortedError({ cause: options.signal.reason });
    if (!client) return fallback(text, context, 'no-key', options.signal);

    // [CHT4] The earlier requests' summary goes out with the command, under the same placeholders.
    const redacted = redactCommand(text, context.contacts, context.earlier);
    const key = cacheKey({
      model: opts.model,
      text: redacted.text,
      ...(redacted.earlier && { earlier: redacted.earlier }),
      date: context.now.slice(0, 10),
      timeZone: context.timeZone,
    });
    const cached = await opts.cache?.get(key);
    if (cached) {
      log.debug('cache_hit');
      return { command: restoreCommand(cached, redacted), provider: 'openai' };
    }
    if (opts.limiter && !opts.limiter.tryTake())
      return fallback(text, context, 'local-rate-limit', options.signal);

    const messages = buildMessages(redacted, context);
    opts.record?.({ at: (opts.now ?? Date.now)(), model: opts.model, text: sentWords(redacted) });
    try {
      let reply = await withRetry(messages, options, redacted);
      if (!reply.ok) {
        // One repair (AST4): the model sees its own call and what was wrong with it.
        log.info('repair', { has_call: reply.call !== undefined });
        reply = await withRetry([...messages, ...repairMessages(reply)], options, redacted);
      }
      if (!reply.ok) return fallback(text, context, 'malformed-reply', options.signal);
      await opts.cache?.set(key, reply.command);
      return { command: restoreCommand(reply.command, redacted), provider: 'openai' };
    } catch (err) {
      if (err instanceof Failure) return fallback(text, context, err.note, options.signal);
      throw err;
    }
  }

  return {
    provider: 'openai',
    understandWithNote,
    understand: async (text, context, signal) =>
      (await understandWithNote(text, context, { signal })).command,
  };
}

/** [AST10] The words that left the device: the redacted command, and the summary that went with it. */
function sentWords(redacted: Redacted): string {
  if (!redacted.earlier?.length) return redacted.text;
  return `${redacted.text}\n\nEarlier in this conversation:\n${redacted.earlier.join('\n')}`.slice(0, 4000);
}

function repairMessages(reply: Invalid): OpenAI.Chat.ChatCompletionMessageParam[] {
  const correction = `${reply.error} Call ${TOOL_NAME} again with corrected arguments.`;
  if (!reply.call) return [{ role: 'user', content: correction }];
  return [
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: reply.call.id,
          type: 'function',
          function: { name: reply.call.name, arguments: reply.call.arguments },
        },
      ],
    },
    { role: 'tool', tool_call_id: reply.call.id, content: correction },
  ];
}

function classify(err: unknown): OpenAiNote {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof OpenAI.APIConnectionError) return 'unreachable';
  if (err instanceof OpenAI.AuthenticationError) return 'unauthorized';
  if (err instanceof OpenAI.PermissionDeniedError) return 'forbidden';
  if (err instanceof OpenAI.NotFoundError) return 'model-not-found';
  if (err instanceof OpenAI.RateLimitError) return 'rate-limited';
  if (err instanceof OpenAI.APIError && (err.status ?? 0) >= 500) return 'server-error';
  if (err instanceof OpenAI.APIError && (err.status ?? 0) >= 400) return 'rejected';
  // A body that is not what the API promises (the SDK could not parse it).
  log.warn('unexpected_reply', { error: err instanceof Error ? err.name : typeof err });
  return 'malformed-reply';
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
function retryAfterMs(err: unknown, now: () => number): number | undefined {
  const value = err instanceof OpenAI.APIError ? err.headers?.get('retry-after') : undefined;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
