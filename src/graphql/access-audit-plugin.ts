import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { accessRecordOf } from '../auth/index.js';
import type { JsonValue } from '../provenance/index.js';
import type { GraphQLContext } from './context.js';

/** Root fields asked for, by name (aliases resolved to the field), in order, without repeats. */
export function rootFields(operation: OperationDefinitionNode | undefined): string {
  if (operation === undefined) return '';
  const names = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  return [...new Set(names)].join(',');
}

/**
 * How many things an answer handed over: list items and connection edges at the root count
 * one each, any other non-null root value one.
 */
export function countReturned(data: Record<string, unknown> | null | undefined): number {
  if (data === null || data === undefined) return 0;
  let n = 0;
  for (const value of Object.values(data)) {
    if (Array.isArray(value)) n += value.length;
    else if (value !== null && typeof value === 'object') {
      const v = value as { edges?: unknown; records?: unknown };
      n += Array.isArray(v.edges) ? v.edges.length : Array.isArray(v.records) ? v.records.length : 1;
    }
  }
  return n;
}

export function outcomeOf(hasErrors: boolean, data: unknown): 'OK' | 'PARTIAL' | 'ERROR' {
  return !hasErrors ? 'OK' : data ? 'PARTIAL' : 'ERROR';
}

/**
 * The access audit: every request made with an agency token is recorded (who, which token,
 * what operation, a hash of the variables, how much came back) before its answer leaves; if the
 * record cannot be stored, the answer is withheld (503 ACCESS_AUDIT_UNAVAILABLE).
 */
export function accessAuditPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc: GraphQLRequestContextWillSendResponse<GraphQLContext>) {
          const principal = rc.contextValue.principal;
          if (principal === undefined || principal.kind !== 'agency') return;
          const body = rc.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const hasErrors = (result.errors?.length ?? 0) > 0;
          const data = result.data as Record<string, unknown> | null | undefined;
          try {
            await rc.contextValue.services.recordAccess(
              accessRecordOf(principal, {
                at: rc.contextValue.clock.now(),
                operation: rc.operationName ?? rc.operation?.operation ?? 'unparsed',
                fields: rootFields(rc.operation),
                variables: (rc.request.variables ?? {}) as JsonValue,
                returned: countReturned(data),
                outcome: outcomeOf(hasErrors, data),
              }),
            );
          } catch (err) {
            const code = (err as { code?: string }).code ?? 'ACCESS_AUDIT_UNAVAILABLE';
            rc.response.http.status = 503;
            rc.response.body = { kind: 'single', singleResult: { errors: [{ message: (err as Error).message, extensions: { code } }] } };
          }
        },
      };
    },
  };
}
