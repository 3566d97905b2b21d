import type { Availability, LanguageModelCoreOptions, LanguageModelLike } from './prompt-api';
import { AVAILABILITIES } from './prompt-api';

/** Why the model cannot be used, as a code safe to log. */
export type UnavailableReason =
  'no_global' | 'not_supported' | 'availability_threw' | 'unknown_answer' | 'create_failed';

export interface OnDeviceState {
  readonly state: Availability;
  readonly reason?: UnavailableReason;
}

/** The options Parley asks the model for: English text in, English text out. */
export const TEXT_IN_TEXT_OUT: LanguageModelCoreOptions = {
  expectedInputs: [{ type: 'text', languages: ['en'] }],
  expectedOutputs: [{ type: 'text', languages: ['en'] }],
};

/** The global's `LanguageModel`, if it looks like the Prompt API. */
export function languageModelOf(global: object = globalThis): LanguageModelLike | undefined {
  let model: unknown;
  try {
    model = (global as { LanguageModel?: unknown }).LanguageModel;
  } catch {
    // A throwing getter (a hostile or half-built global) means no usable model: `no_global`.
    return undefined;
  }
  if (
    (typeof model === 'object' || typeof model === 'function') &&
    model !== null &&
    typeof (model as LanguageModelLike).availability === 'function' &&
    typeof (model as LanguageModelLike).create === 'function'
  )
    return model as LanguageModelLike;
  return undefined;
}

/** Asks the model how available it is; never throws. */
export async function detectModel(
  model: LanguageModelLike | undefined,
  options: LanguageModelCoreOptions = TEXT_IN_TEXT_OUT,
): Promise<OnDeviceState> {
  if (!model) return { state: 'unavailable', reason: 'no_global' };
  let answer: unknown;
  try {
    answer = await model.availability(options);
  } catch (error) {
    const notSupported = error instanceof Error && error.name === 'NotSupportedError';
    return { state: 'unavailable', reason: notSupported ? 'not_supported' : 'availability_threw' };
  }
  if (!AVAILABILITIES.includes(answer as Availability))
    return { state: 'unavailable', reason: 'unknown_answer' };
  return answer === 'unavailable'
    ? { state: 'unavailable', reason: 'not_supported' }
    : { state: answer as Availability };
}

/**
 * Whether Chrome's on-device model can be used from this global (a page, a worker, the extension's service
 * worker). Never throws: a missing global, a throwing `availability()` and `NotSupportedError` all answer
 * `unavailable` with a reason code.
 */
export function detectOnDevice(global: object = globalThis): Promise<OnDeviceState> {
  return detectModel(languageModelOf(global));
}
