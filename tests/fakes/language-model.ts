import type {
  Availability,
  LanguageModelCoreOptions,
  LanguageModelCreateOptions,
  LanguageModelLike,
  LanguageModelMessage,
  LanguageModelPromptOptions,
  LanguageModelSession,
} from '../../src/assistant/on-device';

/**
 * A fake of Chrome's Prompt API (`LanguageModel`) that behaves as documented: `availability()` answers a
 * state, `create()` throws `NotSupportedError` when the model is unavailable, `prompt()` answers a string,
 * honouring `responseConstraint` (a scripted reply that breaks the schema is a bug in the test, unless it is
 * scripted `raw`), `promptStreaming()` a `ReadableStream` of chunks, and every call honours its `signal`.
 * Everything the model was shown is recorded for assertions.
 */
export type Reply =
  { readonly json: unknown } | { readonly raw: string } | { readonly hang: true } | { readonly error: Error };

export interface PromptRecord {
  readonly input: string;
  readonly initialPrompts: readonly LanguageModelMessage[];
  readonly responseConstraint?: object;
}

export class FakeLanguageModel implements LanguageModelLike {
  state: Availability;
  readonly replies: Reply[] = [];
  readonly prompts: PromptRecord[] = [];
  readonly availabilityCalls: (LanguageModelCoreOptions | undefined)[] = [];
  readonly createCalls: LanguageModelCreateOptions[] = [];
  created = 0;
  destroyed = 0;
  availabilityThrows?: Error;

  constructor(state: Availability = 'available') {
    this.state = state;
  }

  reply(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }

  async availability(options?: LanguageModelCoreOptions): Promise<Availability> {
    this.availabilityCalls.push(options);
    if (this.availabilityThrows) throw this.availabilityThrows;
    return this.state;
  }

  async create(options: LanguageModelCreateOptions = {}): Promise<LanguageModelSession> {
    this.createCalls.push(options);
    throwIfAborted(options.signal);
    if (this.state === 'unavailable')
      throw new DOMException('The model is not supported: the service is not running.', 'NotSupportedError');
    if (this.state !== 'available') {
      // The download the documented monitor reports, then the model is there.
      const listeners: ((e: { loaded: number }) => void)[] = [];
      options.monitor?.({ addEventListener: (_type, l) => listeners.push(l) });
      for (const loaded of [0, 0.5, 1]) listeners.forEach((l) => l({ loaded }));
      this.state = 'available';
    }
    this.created++;
    return this.session(options.initialPrompts ?? []);
  }

  private session(initialPrompts: readonly LanguageModelMessage[]): LanguageModelSession {
    let alive = true;
    const live = () => {
      if (!alive) throw new DOMException('The session has been destroyed.', 'InvalidStateError');
    };
    const answer = async (input: string, options: LanguageModelPromptOptions = {}): Promise<string> => {
      live();
      throwIfAborted(options.signal);
      this.prompts.push({ input, initialPrompts, responseConstraint: options.responseConstraint });
      const reply = this.replies.shift();
      if (!reply) throw new Error('FakeLanguageModel: no reply scripted');
      if ('error' in reply) throw reply.error;
      if ('raw' in reply) return reply.raw;
      if ('hang' in reply) return untilAborted(options.signal);
      if (options.responseConstraint) {
        const problem = violation(reply.json, options.responseConstraint as Schema);
        if (problem)
          throw new Error(`FakeLanguageModel: scripted reply breaks responseConstraint at ${problem}`);
      }
      return JSON.stringify(reply.json);
    };
    return {
      prompt: answer,
      promptStreaming: (input, options) =>
        new ReadableStream<string>({
          async start(controller) {
            try {
              const text = await answer(input, options);
              for (let i = 0; i < text.length; i += 8) controller.enqueue(text.slice(i, i + 8));
              controller.close();
            } catch (error) {
              controller.error(error);
            }
          },
        }),
      clone: async (options) => {
        live();
        throwIfAborted(options?.signal);
        this.created++;
        return this.session(initialPrompts);
      },
      destroy: () => {
        if (alive) this.destroyed++;
        alive = false;
      },
    };
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
}

function untilAborted(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return; // Hangs for ever, as a model that never answers would.
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

interface Schema {
  type?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** The subset of JSON Schema `z.toJSONSchema` emits for the command: where `value` breaks it, if anywhere. */
export function violation(value: unknown, schema: Schema, at = '$'): string | undefined {
  if (schema.anyOf) return schema.anyOf.some((s) => !violation(value, s, at)) ? undefined : at;
  if (schema.enum && !schema.enum.includes(value)) return at;
  switch (schema.type) {
    case 'null':
      return value === null ? undefined : at;
    case 'string':
      if (typeof value !== 'string') return at;
      if (schema.minLength !== undefined && value.length < schema.minLength) return at;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return at;
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return at;
      return undefined;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return at;
      if (schema.minimum !== undefined && value < schema.minimum) return at;
      if (schema.maximum !== undefined && value > schema.maximum) return at;
      return undefined;
    case 'array':
      if (!Array.isArray(value)) return at;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return at;
      return value.map((v, i) => violation(v, schema.items ?? {}, `${at}[${i}]`)).find(Boolean);
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return at;
      const record = value as Record<string, unknown>;
      const missing = (schema.required ?? []).find((k) => !(k in record));
      if (missing) return `${at}.${missing}`;
      const props = schema.properties ?? {};
      if (schema.additionalProperties === false) {
        const extra = Object.keys(record).find((k) => !(k in props));
        if (extra) return `${at}.${extra}`;
      }
      return Object.entries(props)
        .map(([k, s]) => (k in record ? violation(record[k], s, `${at}.${k}`) : undefined))
        .find(Boolean);
    }
    default:
      return undefined;
  }
}
