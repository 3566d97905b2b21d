import type { Command, CommandContext, Understanding } from './command';

export interface Understood {
  readonly command: Command;
  /** Which way understood it (the fallback when the chosen one could not). */
  readonly provider: Understanding['provider'];
  /** Why another way was used, in the person's words ("the model answered 429; the built-in parser took over"). */
  readonly note?: string;
}

/** A way of understanding that can say it fell back (the cloud and on-device providers). */
export interface UnderstandingWithNote extends Understanding {
  understandWithNote(text: string, context: CommandContext, signal?: AbortSignal): Promise<Understood>;
}

/**
 * The person's words → one command, through the way chosen in settings, with the built-in parser always
 * behind it: whatever the chosen way throws, the built-in parser answers and the reply says so.
 */
export class Assistant {
  constructor(
    private readonly chosen: () => Understanding | UnderstandingWithNote,
    private readonly builtin: Understanding,
  ) {}

  get provider(): Understanding['provider'] {
    return this.chosen().provider;
  }

  async understand(text: string, context: CommandContext, signal?: AbortSignal): Promise<Understood> {
    const way = this.chosen();
    if (way === this.builtin)
      return { command: await way.understand(text, context, signal), provider: way.provider };
    try {
      if ('understandWithNote' in way) return await way.understandWithNote(text, context, signal);
      return { command: await way.understand(text, context, signal), provider: way.provider };
    } catch {
      // The chosen way failed outright (its own fallback failed too): the built-in parser answers.
      return {
        command: await this.builtin.understand(text, context, signal),
        provider: this.builtin.provider,
        note: 'The model could not answer; the built-in parser understood this instead.',
      };
    }
  }
}
