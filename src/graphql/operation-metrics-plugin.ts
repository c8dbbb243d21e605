import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { GraphQLContext } from './context.js';

export type OperationOutcome = 'ok' | 'partial' | 'refused' | 'error';

/**
 * Reports each GraphQL request over HTTP once, as it is answered: the schema's root fields it
 * asked for (null when unparsed), never its operation name — `/metrics` is unauthenticated and an
 * agency's operation names can name its cases and suspects (`CaseCUS2026_118_SuspectZhang`) — and outcome — `ok` without errors, `partial` with data and errors,
 * `error` when any error is INTERNAL_SERVER_ERROR, `refused` otherwise (every error coded: bad
 * input, a missing scope, a limit).
 */
export function operationMetricsPlugin(record: (rootFields: string | null, outcome: OperationOutcome) => void): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const body = rc.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const errors = result.errors ?? [];
          const outcome: OperationOutcome =
            errors.length === 0 ? 'ok' : errors.some((e) => e.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') ? 'error' : result.data ? 'partial' : 'refused';
          record(rc.operation === undefined ? null : rootFieldsOf(rc.operation), outcome);
        },
      };
    },
  };
}

/**
 * The operation's root field names (not aliases), sorted and joined by `+`: names from the schema,
 * public and few. A fragment at the root counts as `fragment`.
 */
export function rootFieldsOf(operation: OperationDefinitionNode): string {
  const names = new Set(operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : 'fragment')));
  return [...names].sort().join('+');
}
