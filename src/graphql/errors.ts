import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isWildintelError, type Logger } from '../kernel/index.js';

/** Codes a client may see that come from GraphQL itself (parsing, validation, limits). */
const PASSTHROUGH_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'INVALID_DATE_TIME',
  'OPERATION_NOT_SUPPORTED',
]);

/** Codes set by contextError (authentication and rate limiting, before any resolver runs). */
const CONTEXT_CODES = new Set(['UNAUTHENTICATED', 'RATE_LIMITED']);

/**
 * The single place that turns anything thrown into what a client sees.
 * Domain errors keep their code, message and details; GraphQL's own errors pass
 * through; everything else is logged and masked as INTERNAL_SERVER_ERROR, so no
 * stack trace or SQL ever reaches a client.
 */
export function createErrorFormatter(logger: Logger, { logUnexpected = true }: { logUnexpected?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = domainError(unwrapResolverError(error));
    if (isWildintelError(original)) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
      };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && CONTEXT_CODES.has(code)) {
      const details = formatted.extensions?.['details'];
      return { message: formatted.message.replace(/^Context creation failed: /, ''), extensions: { code, ...(details ? { details } : {}) } };
    }
    if (typeof code === 'string' && PASSTHROUGH_CODES.has(code)) {
      return { ...formatted, message: withoutSuggestions(formatted.message), extensions: { code } };
    }
    if (original instanceof GraphQLError && original.originalError === undefined && code === undefined) {
      return { ...formatted, message: withoutSuggestions(formatted.message), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    }
    if (isUncodedRequestError(original)) {
      // Apollo's own request errors without a code (a persisted query's hash or version): a 4xx it chose, labelled here.
      return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    }
    // Over HTTP the error-log plugin logs it, with the request's ids (logUnexpected: false).
    if (logUnexpected) logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL request');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * graphql-js's "Did you mean …?" sentences removed from a message: they would spell out the
 * schema's fields, arguments, types and enum values to anyone, token or not (introspection is
 * off in production). What is left still names what was wrong: `Cannot query field "x" on type
 * "Query".` Every path's errors come through here (HTTP and graphql-ws), so none says
 * "[Suggestion hidden]" (graphql-armor's mask, which missed enum values and graphql-ws).
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
}

/**
 * What was thrown behind an error a client will see as INTERNAL_SERVER_ERROR, or undefined for
 * every error that carries its own code (domain errors, GraphQL's parse, validation and
 * coercion errors, Apollo's request errors). Takes the error before formatting.
 */
export function unexpectedCause(error: GraphQLError): unknown {
  const original = domainError(unwrapResolverError(error));
  if (isWildintelError(original)) return undefined;
  const code = error.extensions['code'];
  if (typeof code === 'string' && (CONTEXT_CODES.has(code) || PASSTHROUGH_CODES.has(code))) return undefined;
  if (original instanceof GraphQLError && original.originalError === undefined) return undefined;
  return original instanceof GraphQLError ? original.originalError : original;
}

/**
 * A domain error raised outside a resolver (a validation rule's, which Apollo wraps as its
 * ValidationError and graphql-ws passes as is) is the error's `originalError`.
 */
function domainError(error: unknown): unknown {
  if (error instanceof GraphQLError && isWildintelError(error.originalError)) return error.originalError;
  if (error instanceof GraphQLError && error.originalError instanceof GraphQLError && isWildintelError(error.originalError.originalError)) return error.originalError.originalError;
  return error;
}

function isUncodedRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError !== undefined || error.extensions['code'] !== undefined) return false;
  const status = (error.extensions['http'] as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const CONTEXT_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

/**
 * An error raised while authenticating a request, as Apollo must see it to answer with the right
 * HTTP status (401, or 429 with Retry-After) and a stable code instead of a 500.
 */
export function contextError(err: unknown, logger: Logger): GraphQLError {
  if (isWildintelError(err) && err.code in CONTEXT_STATUS) {
    const retryAfter = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    const headers = new Map<string, string>();
    // Every 429 says when to come back: a client that honours Retry-After must never be left guessing.
    if (retryAfter !== undefined || err.code === 'RATE_LIMITED') headers.set('retry-after', String(retryAfter ?? 1));
    if (err.code === 'UNAUTHENTICATED') headers.set('www-authenticate', 'Bearer');
    return new GraphQLError(err.message, {
      extensions: { code: err.code, ...(err.details ? { details: err.details } : {}), http: { status: CONTEXT_STATUS[err.code], headers } },
    });
  }
  logger.error({ err }, 'unexpected error while authenticating a GraphQL request');
  return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } });
}
