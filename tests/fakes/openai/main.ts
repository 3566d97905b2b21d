import { commandOf } from '../../../src/assistant/command';
import { startFakeOpenAi } from './server';

/**
 * `npm run fake:openai -- --port N`: the fake on 127.0.0.1:N (0 or absent: any free port). With nothing
 * scripted it answers every request with a `submit_command` call for intent `help`; script other replies
 * with `POST /__control/replies` (a JSON array, see script.ts).
 */
const argv = process.argv.slice(2);
const at = argv.indexOf('--port');
const port = at >= 0 ? Number(argv[at + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: main.ts [--port N]  (N between 0 and 65535)');
  process.exit(2);
}
const fake = await startFakeOpenAi({
  port,
  defaultReply: {
    kind: 'tool',
    arguments: commandOf('help'),
  },
});
console.log(`fake OpenAI-compatible API listening on ${fake.baseURL} (any API key)`);
const stop = (): void => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
