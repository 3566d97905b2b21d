import type { OriginPolicy, RelayLimits } from './limits';
import type { LogFormat, LogLevel } from './log';
import type { MailboxLimits } from './mailbox';

export interface RelayConfig {
  readonly port: number;
  readonly host: string;
  /** Set → mailboxes, prekeys, presence and bindings live in Redis and nodes share them (NOD*). */
  readonly redisUrl?: string;
  /** Set → the same, on a Redis Cluster reached through these seed nodes (`host:port`, NOD5). */
  readonly redisClusterNodes?: readonly string[];
  readonly keyPrefix: string;
  /** Set → logins must carry a Firebase ID token for this project (FBA*). */
  readonly firebaseProjectId?: string;
  readonly devMode: boolean;
  readonly origins: OriginPolicy;
  readonly transports?: ('websocket' | 'polling')[];
  readonly logLevel: LogLevel;
  /** `text`: one readable line per event (the default); `json`: pino JSON lines, for a journal or collector. */
  readonly logFormat: LogFormat;
  readonly limits: Partial<RelayLimits>;
  readonly mailbox: Partial<MailboxLimits>;
  /** Linked from the relay's root page (OBS6). */
  readonly projectUrl?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly code:
      | 'firebase_emulator_without_dev_mode'
      | 'bad_number'
      | 'bad_transport'
      | 'bad_cluster_nodes'
      | 'bad_project_url'
      | 'bad_log_format',
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function logFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new ConfigError(
    'bad_log_format',
    `LOG_FORMAT must be "text" (the default) or "json", not "${value}".`,
  );
}

function number(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError('bad_number', `${name} must be a non-negative number (got "${raw}").`);
  }
  return value;
}

const list = (raw: string | undefined) =>
  raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads the relay's settings from the environment (docs/relay-at-scale.md lists them). */
export function configFromEnv(env: Env): RelayConfig {
  const devMode = env.RELAY_DEV_MODE === '1';
  // FBA4: an emulator accepts unsigned tokens; a relay that trusted it would let anyone in.
  if (env.FIREBASE_AUTH_EMULATOR_HOST && !devMode) {
    throw new ConfigError(
      'firebase_emulator_without_dev_mode',
      'FIREBASE_AUTH_EMULATOR_HOST is set: the emulator accepts forged tokens. Unset it, or start the relay ' +
        'with RELAY_DEV_MODE=1 for development only.',
    );
  }
  const clusterNodes = list(env.REDIS_CLUSTER_NODES);
  if (clusterNodes?.some((node) => !/^[^:\s]+:\d+$/.test(node))) {
    throw new ConfigError(
      'bad_cluster_nodes',
      'REDIS_CLUSTER_NODES is a comma list of host:port seed nodes.',
    );
  }
  if (clusterNodes?.length && env.REDIS_URL) {
    throw new ConfigError(
      'bad_cluster_nodes',
      'Set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Cluster), not both.',
    );
  }
  const transports = list(env.RELAY_TRANSPORTS);
  if (transports?.some((t) => t !== 'websocket' && t !== 'polling')) {
    throw new ConfigError('bad_transport', 'RELAY_TRANSPORTS is a comma list of "websocket" and "polling".');
  }
  const projectUrl = env.RELAY_PROJECT_URL || undefined;
  if (projectUrl && !/^https?:\/\/[^\s"'<>]+$/.test(projectUrl)) {
    throw new ConfigError(
      'bad_project_url',
      'RELAY_PROJECT_URL is an http(s) address, e.g. https://example.org/parley.',
    );
  }
  const allowed = list(env.RELAY_ALLOWED_ORIGINS);
  const ttlDays = number(env, 'MAILBOX_TTL_DAYS');
  const limits: Partial<RelayLimits> = {};
  const maxConnections = number(env, 'RELAY_MAX_CONNECTIONS');
  if (maxConnections !== undefined) Object.assign(limits, { maxConnections });
  const perSecond = number(env, 'RELAY_RATE_PER_SECOND');
  const burst = number(env, 'RELAY_RATE_BURST');
  if (perSecond !== undefined || burst !== undefined) {
    const rate = { perSecond: perSecond ?? 100, burst: burst ?? 200 };
    Object.assign(limits, {
      perConnection: rate,
      perAgent: { perSecond: rate.perSecond * 2, burst: rate.burst * 2 },
    });
  }
  const mailbox: Partial<MailboxLimits> = {};
  if (ttlDays !== undefined) Object.assign(mailbox, { ttlMs: ttlDays * 24 * 3600_000 });
  const maxCount = number(env, 'MAILBOX_MAX_COUNT');
  if (maxCount !== undefined) Object.assign(mailbox, { maxCount });
  const maxBytes = number(env, 'MAILBOX_MAX_BYTES');
  if (maxBytes !== undefined) Object.assign(mailbox, { maxBytes });
  return {
    port: number(env, 'PORT') ?? 8787,
    host: env.HOST ?? '127.0.0.1',
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    ...(clusterNodes?.length ? { redisClusterNodes: clusterNodes } : {}),
    keyPrefix: env.REDIS_KEY_PREFIX ?? 'parley:',
    ...(env.FIREBASE_PROJECT_ID ? { firebaseProjectId: env.FIREBASE_PROJECT_ID } : {}),
    devMode,
    origins: { ...(allowed ? { allowed } : {}), allowMissing: env.RELAY_ALLOW_NO_ORIGIN === '1' || !allowed },
    ...(transports ? { transports: transports as ('websocket' | 'polling')[] } : {}),
    logLevel: (env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    logFormat: logFormat(env.LOG_FORMAT),
    limits,
    mailbox,
    ...(projectUrl ? { projectUrl } : {}),
  };
}
