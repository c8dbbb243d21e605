/**
 * The one base class for every error that crosses a module boundary.
 *
 * `code` is stable and closed per module: it is exactly what appears in GraphQL
 * `extensions.code` and in HTTP error bodies, so clients can `switch` on it.
 * `details` carries machine-readable context (e.g. the index and field of a bad
 * indicator) and must never hold secrets or raw personal data.
 */
export class WildintelError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details === undefined ? undefined : Object.freeze({ ...options.details });
  }

  toJSON(): { code: C; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown from the `default` branch of an exhaustive switch; the `never` parameter makes a missed case a compile error. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

export function isWildintelError(value: unknown): value is WildintelError {
  return value instanceof WildintelError;
}
