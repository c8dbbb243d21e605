import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * Subscriptions travel over graphql-ws at the same path; over plain HTTP a subscription would
 * run its resolvers as a query and fail inside. It is refused before execution instead, with a
 * code that says where to send it.
 */
export function httpOperationsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (rc.operation?.operation !== 'subscription') return;
          throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at /graphql, not over HTTP', {
            extensions: { code: 'OPERATION_NOT_SUPPORTED', http: { status: 400 } },
          });
        },
      };
    },
  };
}
