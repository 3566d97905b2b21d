import { assembleRelay } from './assemble';
import { ConfigError, configFromEnv } from './config';
import { createLogger, errorName } from './log';

let config;
try {
  config = configFromEnv(process.env);
} catch (error) {
  // A bad setting is told to the operator plainly; anything else is a bug and crashes with its stack.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Parley relay: ${error.message}\n`);
  process.exit(2);
}
const log = createLogger('relay', config.logLevel, undefined, config.logFormat);
const relay = assembleRelay(config, log);
const { url } = await relay.listen(config.port, config.host);
const mailbox = config.redisClusterNodes ? 'redis-cluster' : config.redisUrl ? 'redis' : 'memory';
log.info('listening', { url, mailbox, firebase: Boolean(config.firebaseProjectId) });
if (!config.origins.allowed)
  log.warn('origins_unrestricted', { hint: 'set RELAY_ALLOWED_ORIGINS in production' });
process.stdout.write(
  `Parley relay listening on ${url} (${{ redis: 'Redis', 'redis-cluster': 'Redis Cluster', memory: 'in-memory' }[mailbox]} mailbox). Health: ${url}/healthz\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info('shutting_down', { signal });
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown_failed', { error: errorName(error) });
        process.exit(1);
      },
    );
  });
}
