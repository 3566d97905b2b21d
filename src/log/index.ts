/**
 * The extension's logger: namespaced (`agent:negotiator`), levelled, quiet on success, and typed like
 * `relay/log.ts` so that only primitive fields can be passed. On top of the types, every string field is
 * checked at run time: only short, lower-case identifiers (an error code, an event kind, a phase) pass;
 * anything that could be a name, a title, an e-mail, a token, a key or a prompt is replaced by
 * `"<redacted>"` before it is written (docs/protocol/agent.md LOG1–3).
 *
 * Lines go to the console (warn and error only, unless the level says otherwise) and to a bounded ring
 * kept in memory, which the options page's "Diagnostics" export reads.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger for a part of this namespace: `log.child('sync')` writes as `calendar:sync`. */
  child(name: string): Logger;
}

export interface LogLine {
  readonly at: number;
  readonly level: LogLevel;
  readonly ns: string;
  readonly event: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** What a string field may look like: an identifier we chose, never free text. */
const SAFE_STRING = /^[a-z0-9][a-z0-9_.:/-]{0,47}$/;
const SAFE_NAME = /^[a-z][a-zA-Z0-9_.:-]{0,47}$/;
/** A class name such as `CalendarError` or `TypeError`. */
const CLASS_NAME = /^[A-Z][A-Za-z0-9_]{0,47}$/;
/** What errorFields puts under `error`: an error class (`…Error`) or a `typeof`; never a person's name. */
const ERROR_CLASS = /^(?:[A-Z][A-Za-z0-9_]{0,42}Error|Error|[a-z]+)$/;
export const REDACTED = '<redacted>';

interface Sink {
  level: LogLevel;
  consoleLevel: LogLevel;
  capacity: number;
  ring: LogLine[];
  now: () => number;
  write?: (line: LogLine) => void;
}

const sink: Sink = { level: 'info', consoleLevel: 'warn', capacity: 500, ring: [], now: Date.now };

/** Sets what is kept and what reaches the console (tests route lines to `write`). */
export function configureLog(options: {
  level?: LogLevel;
  consoleLevel?: LogLevel;
  capacity?: number;
  now?: () => number;
  write?: ((line: LogLine) => void) | null;
}): void {
  if (options.level) sink.level = options.level;
  if (options.consoleLevel) sink.consoleLevel = options.consoleLevel;
  if (options.capacity !== undefined) sink.capacity = Math.max(1, Math.floor(options.capacity));
  if (options.now) sink.now = options.now;
  if (options.write !== undefined) sink.write = options.write ?? undefined;
  if (sink.ring.length > sink.capacity) sink.ring.splice(0, sink.ring.length - sink.capacity);
}

/** The most recent lines, oldest first (the Diagnostics export). */
export function recentLogLines(): readonly LogLine[] {
  return [...sink.ring];
}

export function clearLog(): void {
  sink.ring.length = 0;
}

export function createLogger(namespace: string): Logger {
  const ns = safeName(namespace);
  const at =
    (level: LogLevel) =>
    (event: string, fields?: LogFields): void => {
      if (RANK[level] < RANK[sink.level]) return;
      const line: LogLine = { at: sink.now(), level, ns, event: safeName(event), fields: clean(fields) };
      sink.ring.push(line);
      if (sink.ring.length > sink.capacity) sink.ring.shift();
      sink.write?.(line);
      if (RANK[level] >= RANK[sink.consoleLevel]) toConsole(line);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (name) => createLogger(`${ns}:${name}`),
  };
}

/**
 * What may be logged about a thrown value: its class name and, when it has one, its code. Never its
 * message: a message may quote what the person typed or what a peer sent.
 */
export function errorFields(error: unknown): { error: string; code?: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return {
    error: CLASS_NAME.test(name) || name === typeof error ? name : 'Error',
    ...(typeof code === 'string' && SAFE_STRING.test(code) ? { code } : {}),
  };
}

function clean(fields: LogFields | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!fields) return out;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || !SAFE_NAME.test(key)) continue;
    if (typeof value === 'string')
      out[key] = SAFE_STRING.test(value) || (key === 'error' && ERROR_CLASS.test(value)) ? value : REDACTED;
    else if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'boolean') out[key] = value;
    else out[key] = REDACTED; // not a primitive: the types forbid it, a cast got around them
  }
  return out;
}

function safeName(name: string): string {
  return SAFE_NAME.test(name) ? name : REDACTED;
}

function toConsole(line: LogLine): void {
  const text = `[parley ${line.ns}] ${line.event}`;
  if (line.level === 'error') console.error(text, line.fields);
  else console.warn(text, line.fields);
}
