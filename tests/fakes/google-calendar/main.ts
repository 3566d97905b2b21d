import { startFakeGoogleCalendar } from './server';

/** `npm run fake:google -- --port N`: the fake on 127.0.0.1:N (0 or absent: any free port). */
const argv = process.argv.slice(2);
const at = argv.indexOf('--port');
const port = at >= 0 ? Number(argv[at + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: main.ts [--port N]  (N between 0 and 65535)');
  process.exit(2);
}
const fake = await startFakeGoogleCalendar({ port });
console.log(`fake Google Calendar listening on ${fake.url} (bearer token "test")`);
const stop = (): void => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
