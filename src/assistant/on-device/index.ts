export {
  detectOnDevice,
  detectModel,
  languageModelOf,
  type OnDeviceState,
  type UnavailableReason,
} from './detect';
export { commandJsonSchema, SYSTEM_PROMPT } from './instructions';
export {
  NOTES,
  onDeviceUnderstanding,
  type NoteCode,
  type OnDeviceOptions,
  type OnDeviceUnderstanding,
  type Understood,
} from './understanding';
export type * from './prompt-api';
