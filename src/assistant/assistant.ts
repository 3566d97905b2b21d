import type { Command, CommandContext, Understanding } from './command';
import { createLogger, errorFields } from '../log';
import { NOTE_HINTS, type OpenAiNote } from './openai';

const log = createLogger('assistant');

export interface Understood {
  readonly command: Command;
  /** Which way understood it (the fallback when the chosen one could not). */
  readonly provider: Understanding['provider'];
  /** Why another way was used, in the person's words ("the model answered 429; the built-in parser took over"). */
  readonly note?: string;
}

/** A way of understanding that can say it fell back (the cloud and on-device providers). */
export interface UnderstandingWithNote extends Understanding {
  understandWithNote(
    text: string,
    context: CommandContext,
    options?: UnderstandOptions,
  ): Promise<{ command: Command; provider: Understanding['provider']; note?: string }>;
}

export interface UnderstandOptions {
  readonly signal?: AbortSignal;
  /** The words a model writes besides its answer, all so far, in the person's words (CHT2). */
  readonly onText?: (text: string) => void;
}

/**
 * The person's words → one command, through the way chosen in settings, with the built-in parser always
 * behind it: whatever the chosen way throws, the built-in parser answers and the reply says so.
 */
export class Assistant {
  constructor(
    private readonly chosen: () => Promise<Understanding | UnderstandingWithNote>,
    private readonly builtin: Understanding,
  ) {}

  async understand(
    text: string,
    context: CommandContext,
    options: UnderstandOptions = {},
  ): Promise<Understood> {
    const { signal } = options;
    const way = await this.chosen();
    if (way === this.builtin) {
      return { command: await way.understand(text, context, signal), provider: way.provider };
    }
    try {
      if (!('understandWithNote' in way)) {
        return { command: await way.understand(text, context, signal), provider: way.provider };
      }
      const result = await way.understandWithNote(text, context, options);
      // A provider's note is a code (the cloud provider's) or already words (the on-device one's).
      const note = result.note && (NOTE_HINTS[result.note as OpenAiNote] ?? result.note);
      return { command: result.command, provider: result.provider, ...(note ? { note } : {}) };
    } catch (error) {
      if (signal?.aborted) throw error; // the person cancelled: no answer at all
      log.warn('understanding_failed', { provider: way.provider, ...errorFields(error) });
      // The chosen way failed outright (its own fallback too): the built-in parser answers.
      return {
        command: await this.builtin.understand(text, context, signal),
        provider: this.builtin.provider,
        note: 'The model could not answer; the built-in parser understood this instead.',
      };
    }
  }
}
