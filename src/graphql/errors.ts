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
]);

/**
 * The single place that turns anything thrown into what a client sees.
 * Domain errors keep their code, message and details; GraphQL's own errors pass
 * through; everything else is logged and masked as INTERNAL_SERVER_ERROR, so no
 * stack trace or SQL ever reaches a client.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isWildintelError(original)) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
      };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && PASSTHROUGH_CODES.has(code)) {
      return { ...formatted, extensions: { code } };
    }
    if (original instanceof GraphQLError && original.originalError === undefined && code === undefined) {
      return { ...formatted, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL request');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
