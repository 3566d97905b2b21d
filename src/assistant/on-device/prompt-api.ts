/**
 * The part of Chrome's Prompt API (the `LanguageModel` global, Gemini Nano on the device) that Parley uses,
 * typed from the documentation (developer.chrome.com/docs/ai/prompt-api, MDN `LanguageModel`). The API is
 * not in TypeScript's DOM library yet, and Parley must run where it is missing, so nothing here assumes the
 * global exists: `detectOnDevice` reads it from whatever global it is given.
 */

export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';
export const AVAILABILITIES: readonly Availability[] = [
  'unavailable',
  'downloadable',
  'downloading',
  'available',
];

export interface LanguageModelExpected {
  readonly type: 'text' | 'image' | 'audio';
  /** BCP 47 tags, e.g. `['en']`. */
  readonly languages?: readonly string[];
}

export interface LanguageModelMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What `availability()` and `create()` both take: pass the same to each (the docs insist). */
export interface LanguageModelCoreOptions {
  readonly expectedInputs?: readonly LanguageModelExpected[];
  readonly expectedOutputs?: readonly LanguageModelExpected[];
}

/** `downloadprogress` events carry `loaded`, a fraction from 0 to 1. */
export interface DownloadMonitor {
  addEventListener(type: 'downloadprogress', listener: (event: { readonly loaded: number }) => void): void;
}

export interface LanguageModelCreateOptions extends LanguageModelCoreOptions {
  readonly initialPrompts?: readonly LanguageModelMessage[];
  readonly signal?: AbortSignal;
  readonly monitor?: (monitor: DownloadMonitor) => void;
}

export interface LanguageModelPromptOptions {
  /** A JSON schema (or a RegExp) the answer is constrained to; the answer is still a string. */
  readonly responseConstraint?: object;
  readonly signal?: AbortSignal;
}

export interface LanguageModelSession {
  prompt(input: string, options?: LanguageModelPromptOptions): Promise<string>;
  promptStreaming(input: string, options?: LanguageModelPromptOptions): ReadableStream<string>;
  /** A fresh session with the same initial prompts and none of this one's conversation. */
  clone?(options?: { readonly signal?: AbortSignal }): Promise<LanguageModelSession>;
  destroy(): void;
}

/** The `LanguageModel` global (its static side). */
export interface LanguageModelLike {
  availability(options?: LanguageModelCoreOptions): Promise<Availability>;
  create(options?: LanguageModelCreateOptions): Promise<LanguageModelSession>;
}
