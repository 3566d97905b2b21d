import { pino, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * The relay's logger: pino lines (JSON, or one readable line each with LOG_FORMAT=text), namespaced, quiet on success, and fed only with event
 * names, codes and counts (OBS4). Fields are primitives by type, so an envelope, a token or a
 * key object cannot be passed whole; callers never pass payloads, tokens or keys as strings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** `text` for people (the default), `json` for machines (LOG_FORMAT=json). The same fields either way. */
export type LogFormat = 'text' | 'json';
type Fields = Record<string, string | number | boolean>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

/** What a log line may say of an error: its class name, never its message (which may quote data). */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'unknown');

/** One readable line per event on stderr: `13:02:11 INFO relay listening url=… mailbox=memory`. */
const textDestination = (destination: DestinationStream | 2): DestinationStream =>
  PinoPretty({
    destination,
    sync: true,
    colorize: false,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,ns,event',
    messageFormat: '{ns} {event}',
    singleLine: true,
  });

export function createLogger(
  namespace: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const log = pino(
    { level, base: { ns: namespace }, timestamp: pino.stdTimeFunctions.isoTime },
    format === 'text'
      ? textDestination(destination ?? 2)
      : (destination ?? pino.destination({ dest: 2, sync: false })),
  );
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (event: string, fields?: Fields): void =>
      log[method]({ event, ...fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
