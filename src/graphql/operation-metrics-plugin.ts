import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context.js';

export type OperationOutcome = 'ok' | 'partial' | 'refused' | 'error';

/**
 * Reports each GraphQL request over HTTP once, as it is answered: its operation name (null
 * when anonymous or unparsed) and outcome — `ok` without errors, `partial` with data and errors,
 * `error` when any error is INTERNAL_SERVER_ERROR, `refused` otherwise (every error coded: bad
 * input, a missing scope, a limit).
 */
export function operationMetricsPlugin(record: (operationName: string | null, outcome: OperationOutcome) => void): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const body = rc.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const errors = result.errors ?? [];
          const outcome: OperationOutcome =
            errors.length === 0 ? 'ok' : errors.some((e) => e.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') ? 'error' : result.data ? 'partial' : 'refused';
          record(rc.operationName ?? null, outcome);
        },
      };
    },
  };
}
