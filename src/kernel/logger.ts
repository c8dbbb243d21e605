import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Fields of database errors (TypeORM's QueryFailedError, pg's and PGlite's DatabaseError) that
 * hold the statement or the values in it: the SQL text, its parameters, and pg's `detail`
 * ("Key (value)=(…) already exists"), `where` and `internalQuery`.
 */
const STATEMENT_FIELDS = new Set(['query', 'parameters', 'params', 'sql', 'values', 'detail', 'where', 'internalQuery', 'internalPosition', 'position', 'hint']);
const MAX_DEPTH = 5;

/**
 * The one error serializer of every log line (`err`, `error`, `cause`): pino's, with what a
 * failed statement carries removed at every depth, and a database error's message, which may
 * quote a value (`invalid input syntax for type uuid: "…"`), replaced by its SQLSTATE code.
 * What remains says what failed and where: the class, the code, the constraint, table and
 * column names, the stack without its message line.
 */
export function serializeError(value: unknown): unknown {
  return scrub(value, 0);
}

/**
 * An error as plain data, its cause as a nested error (pino's own serializer folds the causes'
 * messages into the outer message, where a database error's text could not be told apart).
 */
function plain(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.constructor?.name ?? e.name, message: e.message, stack: e.stack };
  for (const [key, item] of Object.entries(e)) if (!(key in out)) out[key] = item;
  if (e.cause !== undefined) out['cause'] = e.cause;
  if (e instanceof AggregateError) out['errors'] = e.errors;
  return out;
}

function scrub(input: unknown, depth: number): unknown {
  const value = input instanceof Error ? plain(input) : input;
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (STATEMENT_FIELDS.has(key)) continue;
    out[key] = scrub(item, depth + 1);
  }
  if (isDatabaseError(out)) {
    out['message'] = `database error ${String(out['code'] ?? 'unknown')}`;
    if (typeof out['stack'] === 'string') out['stack'] = withoutMessage(out['stack']);
  }
  return out;
}

function isDatabaseError(e: Record<string, unknown>): boolean {
  if (e['type'] === 'QueryFailedError' || 'driverError' in e) return true;
  return typeof e['code'] === 'string' && /^[0-9A-Z]{5}$/.test(e['code']) && ('severity' in e || 'routine' in e);
}

/** A stack without its first line(s), which repeat the message. */
function withoutMessage(stack: string): string {
  const frames = stack.indexOf('\n    at ');
  return frames < 0 ? '' : stack.slice(frames + 1);
}

/** Structured JSON logs, one object per line, to stdout (or to `destination` in tests). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError, error: serializeError, cause: serializeError },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
