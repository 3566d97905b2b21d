export {
  startFakeOpenAi,
  type FakeOpenAi,
  type FakeOpenAiOptions,
  type RecordedCompletionRequest,
} from './server';
export { DEFAULT_TOOL, type ScriptedReply } from './script';
