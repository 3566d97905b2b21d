import { createLogger, type LogLevel } from './log';
import { createRelay } from './server';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const log = createLogger('relay', (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info');

const relay = createRelay({ logger: log });
const { url } = await relay.listen(port, host);
log.info('listening', { url, mailbox: 'memory' });
process.stdout.write(`Parley relay listening on ${url} (in-memory mailbox). Health: ${url}/healthz\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info('shutting_down', { signal });
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
