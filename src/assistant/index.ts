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
export * from './openai';
