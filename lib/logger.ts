/**
 * Structured JSON logs, one line per event, as CloudWatch Logs Insights queries them.
 *
 * Deliberately tiny (no dependency): functions that use no driver must cold-start in a few
 * milliseconds. Never pass passwords, session tokens or message bodies as fields.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** Errors become {name, message, code}; the stack only at debug level, never in a response. */
function serialiseError(error: unknown, withStack: boolean): unknown {
  if (!(error instanceof Error)) return error;
  const { code } = error as Error & { code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(withStack ? { stack: error.stack } : {}),
    ...(error.cause === undefined ? {} : { cause: serialiseError(error.cause, withStack) }),
  };
}

/** bigint (message ids) has no JSON form: log it as its decimal text instead of throwing. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. requestId) to every line. */
  child(fields: LogFields): Logger;
}

/** Creates a logger writing lines at or above `level` to `write` (stdout by default). */
export function createLogger(
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info',
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const threshold = RANK[level] ?? RANK.info;
  const withStack = threshold <= RANK.debug;
  const emit = (lvl: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[lvl] < threshold) return;
    const entry: LogFields = { level: lvl, time: new Date().toISOString(), message };
    for (const [key, value] of [...Object.entries(base), ...Object.entries(fields)]) {
      // The three keys above always say what this line is; fields cannot overwrite them.
      if (key === 'level' || key === 'time' || key === 'message') continue;
      entry[key] = value instanceof Error ? serialiseError(value, withStack) : value;
    }
    write(JSON.stringify(entry, jsonSafe));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** The process-wide logger. */
export const logger: Logger = createLogger();
