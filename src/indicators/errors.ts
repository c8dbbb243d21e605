import { WildintelError } from '../kernel/index.js';

/** The closed set of codes this module throws. */
export type IndicatorErrorCode = 'INVALID_INDICATOR' | 'INVALID_IDENTIFIER' | 'INVALID_PSEUDONYM_KEY';

/**
 * An indicator (or one of its values) breaks the model. `details.field` names the
 * offending field (dotted path, e.g. `context.language`), `details.reason` says
 * why, and `details.index` is the indicator's position in its batch when known.
 */
export class InvalidIndicatorError extends WildintelError<'INVALID_INDICATOR'> {
  readonly field: string;
  readonly reason: string;
  readonly index: number | undefined;

  constructor(field: string, reason: string, options: { index?: number; cause?: unknown } = {}) {
    const at = options.index === undefined ? '' : `indicator ${options.index}: `;
    const details: Record<string, unknown> = options.index === undefined ? {} : { index: options.index };
    super('INVALID_INDICATOR', `${at}${field}: ${reason}`, {
      cause: options.cause,
      details: { ...details, field, reason },
    });
    this.field = field;
    this.reason = reason;
    this.index = options.index;
  }
}

/**
 * A raw seller identifier cannot be fingerprinted. The message and details name
 * the field and reason but never echo the identifier: it is personal data.
 */
export class InvalidIdentifierError extends WildintelError<'INVALID_IDENTIFIER'> {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string, options: { cause?: unknown } = {}) {
    super('INVALID_IDENTIFIER', `identifier ${field}: ${reason}`, { cause: options.cause, details: { field, reason } });
    this.field = field;
    this.reason = reason;
  }
}

/** The federation pseudonym key given to the fingerprint function is unusable (a configuration fault). */
export class InvalidPseudonymKeyError extends WildintelError<'INVALID_PSEUDONYM_KEY'> {
  constructor(field: string, reason: string) {
    super('INVALID_PSEUDONYM_KEY', `pseudonym key ${field}: ${reason}`, { details: { field, reason } });
  }
}
