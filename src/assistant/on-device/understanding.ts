import { createLogger, errorFields } from '../../log';
import { CommandSchema, type Command, type CommandContext, type Understanding } from '../command';
import { redactCommand, restoreCommand } from '../redact';
import { detectModel, TEXT_IN_TEXT_OUT, type OnDeviceState } from './detect';
import { SYSTEM_PROMPT, commandJsonSchema, userPrompt } from './instructions';
import type { LanguageModelLike, LanguageModelSession } from './prompt-api';

const log = createLogger('assistant').child('on-device');

/** What the person is told when the fallback answered instead (shown beside the command). */
export const NOTES = {
  unavailable: "Chrome's on-device model is not available here; using the built-in parser.",
  downloadable: "Chrome's on-device model has not been downloaded yet; using the built-in parser.",
  downloading: "Chrome's on-device model is still downloading; using the built-in parser.",
  unreadable: "Chrome's on-device model gave an answer that could not be read; using the built-in parser.",
  invalid: "Chrome's on-device model gave an answer that does not fit a command; using the built-in parser.",
  failed: "Chrome's on-device model failed to answer; using the built-in parser.",
} as const;
export type NoteCode = keyof typeof NOTES;

export interface Understood {
  readonly command: Command;
  /** Who produced the command: the on-device model, or the fallback. */
  readonly provider: Understanding['provider'];
  readonly note?: string;
  /** Why the fallback answered, as a code (tests, logs). */
  readonly noteCode?: NoteCode;
}

export interface OnDeviceUnderstanding extends Understanding {
  readonly provider: 'on-device';
  understandWithNote(
    text: string,
    context: CommandContext,
    options?: { readonly signal?: AbortSignal },
  ): Promise<Understood>;
  /** The model's state now (never throws). */
  state(): Promise<OnDeviceState>;
  /**
   * Creates the session, starting the model's download when it is `downloadable` (Chrome wants a user
   * activation for that: call it from the person's click). `onProgress` gets fractions from 0 to 1.
   */
  prepare(options?: { signal?: AbortSignal; onProgress?: (loaded: number) => void }): Promise<OnDeviceState>;
  /** Destroys the session. */
  dispose(): void;
}

export interface OnDeviceOptions {
  readonly model: LanguageModelLike | undefined;
  readonly fallback: Understanding;
  /** Milliseconds, for the `ms` log field. */
  readonly now?: () => number;
}

const aborted = (signal?: AbortSignal) => signal?.aborted === true;
const abortError = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');

/**
 * Understanding with Chrome's built-in model (docs/protocol/on-device.md). One session is created on first use
 * and reused; each command is asked in a clone of it when the browser offers `clone()`, so one command's
 * conversation never colours the next. Whatever goes wrong that is not the person's cancellation, the
 * fallback answers, with a note saying why.
 */
export function onDeviceUnderstanding({
  model,
  fallback,
  now = Date.now,
}: OnDeviceOptions): OnDeviceUnderstanding {
  const responseConstraint = commandJsonSchema();
  let session: Promise<LanguageModelSession> | undefined;
  let disposed = false;

  const open = (signal?: AbortSignal, onProgress?: (loaded: number) => void) => {
    if (!session) {
      const created = model!.create({
        ...TEXT_IN_TEXT_OUT,
        initialPrompts: [{ role: 'system', content: SYSTEM_PROMPT }],
        signal,
        monitor: onProgress
          ? (m) => m.addEventListener('downloadprogress', (e) => onProgress(e.loaded))
          : undefined,
      });
      session = created;
      // A failed or cancelled creation is not cached: the next command tries again.
      created.catch(() => {
        if (session === created) session = undefined;
      });
    }
    return session;
  };

  const viaFallback = async (
    code: NoteCode,
    text: string,
    context: CommandContext,
    signal?: AbortSignal,
  ): Promise<Understood> => {
    log.info('fallback', { reason: code });
    const command = await fallback.understand(text, context, signal);
    return { command, provider: fallback.provider, note: NOTES[code], noteCode: code };
  };

  /** The model's command, or why it has none. */
  const ask = async (
    text: string,
    context: CommandContext,
    signal?: AbortSignal,
  ): Promise<Understood | NoteCode> => {
    const started = now();
    const redacted = redactCommand(text, context.contacts);
    const base = await open(signal);
    const asked = base.clone ? await base.clone({ signal }) : base;
    let answer: string;
    try {
      answer = await asked.prompt(userPrompt(redacted, context), {
        responseConstraint,
        signal,
      });
    } finally {
      if (asked !== base) asked.destroy();
    }
    let json: unknown;
    try {
      json = JSON.parse(answer);
    } catch {
      // Not JSON: the caller falls back and logs the reason (ODM5).
      return 'unreadable';
    }
    const parsed = CommandSchema.safeParse(json);
    if (!parsed.success) return 'invalid';
    const restored = CommandSchema.safeParse(restoreCommand(parsed.data, redacted));
    if (!restored.success) return 'invalid';
    log.debug('understood', { ms: Math.round(now() - started), intent: restored.data.intent });
    return { command: restored.data, provider: 'on-device' };
  };

  const self: OnDeviceUnderstanding = {
    provider: 'on-device',
    state: () => detectModel(model),
    async understandWithNote(text, context, { signal } = {}) {
      if (signal && aborted(signal)) throw abortError(signal);
      if (disposed) return viaFallback('unavailable', text, context, signal);
      if (!session) {
        const { state } = await self.state();
        if (state !== 'available') return viaFallback(state, text, context, signal);
      }
      let result: Understood | NoteCode;
      try {
        result = await ask(text, context, signal);
      } catch (error) {
        if (signal && aborted(signal)) throw abortError(signal);
        const notSupported = error instanceof Error && error.name === 'NotSupportedError';
        log.warn('model_failed', errorFields(error));
        result = notSupported ? 'unavailable' : 'failed';
      }
      return typeof result === 'string' ? viaFallback(result, text, context, signal) : result;
    },
    async understand(text, context, signal) {
      return (await self.understandWithNote(text, context, signal ? { signal } : {})).command;
    },
    async prepare({ signal, onProgress } = {}) {
      const detected = await self.state();
      if (detected.state === 'unavailable' || disposed) return detected;
      try {
        await open(signal, onProgress);
        return { state: 'available' };
      } catch (error) {
        if (signal && aborted(signal)) throw abortError(signal);
        log.warn('create_failed', errorFields(error));
        return { state: 'unavailable', reason: 'create_failed' };
      }
    },
    dispose() {
      disposed = true;
      const current = session;
      session = undefined;
      // A session that never came to be has nothing to destroy; its creation failure was already handled.
      current?.then((s) => s.destroy()).catch(() => undefined);
    },
  };
  return self;
}
