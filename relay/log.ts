import { pino, type DestinationStream } from 'pino';

/**
 * The relay's logger: pino JSON lines, namespaced, quiet on success, and fed only with event
 * names, codes and counts (OBS4). Fields are primitives by type, so an envelope, a token or a
 * key object cannot be passed whole; callers never pass payloads, tokens or keys as strings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Fields = Record<string, string | number | boolean>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

/** What a log line may say of an error: its class name, never its message (which may quote data). */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'unknown');

export function createLogger(
  namespace: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
): Logger {
  const log = pino(
    { level, base: { ns: namespace }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (event: string, fields?: Fields): void =>
      log[method]({ event, ...fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
