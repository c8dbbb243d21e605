import type { ApolloServerPlugin } from '@apollo/server';
import { sha256Base64url } from '../kernel/index.js';
import { canonicalJson, type JsonValue } from '../provenance/index.js';
import { rootFields } from './access-audit-plugin.js';
import type { GraphQLContext } from './context.js';
import { unexpectedCause } from './errors.js';

/**
 * One log line per unexpected failure of a request, with what identifies it and nothing the
 * caller sent: the request id, operation name and root fields, the error's class and codes
 * (the logger's serializer removes SQL and its parameters), and a SHA-256 of the variables —
 * the same hash the access audit records, so the two can be matched without the values.
 */
export function errorLogPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(rc) {
          const causes = rc.errors.map((e) => ({ cause: unexpectedCause(e), path: e.path })).filter((c) => c.cause !== undefined);
          if (causes.length === 0) return;
          const logger = rc.contextValue.logger;
          const base = { requestId: rc.contextValue.requestId, operation: rc.operationName ?? null, fields: rootFields(rc.operation), variablesSha256: variablesHash(rc.request.variables) };
          for (const { cause, path } of causes) logger.error({ ...base, path, err: cause }, 'unexpected error in GraphQL request');
        },
      };
    },
  };
}

/** As the access audit hashes them; input with unsafe text never gets this far, but a hash must never throw. */
export function variablesHash(variables: Readonly<Record<string, unknown>> | undefined): string {
  try {
    return sha256Base64url(canonicalJson((variables ?? {}) as JsonValue));
  } catch {
    return sha256Base64url(JSON.stringify(variables ?? {}));
  }
}
