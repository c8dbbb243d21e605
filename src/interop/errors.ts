import { WildintelError } from '../kernel/index.js';

export type InteropErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'NOT_ACCEPTABLE'
  | 'NOT_FOUND'
  | 'INVALID_PARAMETER'
  | 'METHOD_NOT_ALLOWED'
  | 'READ_ONLY'
  | 'UNKNOWN_MEMBER'
  | 'EXPORT_FAILED';

export class InteropError extends WildintelError<InteropErrorCode> {}

/** The HTTP status of each refusal the feeds give, theirs and those of the contexts they call. */
export const HTTP_STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  INVALID_PARAMETER: 400,
  RATE_LIMITED: 429,
  ACCESS_AUDIT_UNAVAILABLE: 503,
};
