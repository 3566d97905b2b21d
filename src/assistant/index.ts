export {
  CommandSchema,
  INTENTS,
  LocalDate,
  PARTS_OF_DAY,
  type Command,
  type CommandContext,
  type Intent,
  type Understanding,
} from './command';
export {
  detectOnDevice,
  NOTES as ON_DEVICE_NOTES,
  onDeviceUnderstanding,
  type LanguageModelLike,
  type OnDeviceState,
  type OnDeviceUnderstanding,
  type Understood,
} from './on-device';
