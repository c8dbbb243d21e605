import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs, GraphQLError, GraphQLSchema } from 'graphql';
import { createErrorFormatter, createWsOperationPreparer, type GraphQLContext } from '../graphql/index.js';
import type { Logger } from '../kernel/index.js';

/** Close codes graphql-ws clients understand: 4401 unauthorized, 4429 too many requests. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_RATE_LIMITED = 4429;

/**
 * GraphQL over WebSocket (graphql-ws) at /graphql for subscriptions. The token goes in the
 * connection's `connectionParams.authorization` ("Bearer …"), is verified once when the
 * connection opens and again (expiry, revocation) for each new subscription; the same limits
 * and field scopes as over HTTP apply.
 */
export function startSubscriptionServer(deps: {
  httpServer: Server;
  schema: GraphQLSchema;
  logger: Logger;
  contextFor: (authorization: string | undefined) => Promise<GraphQLContext>;
}): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const prepare = createWsOperationPreparer(deps.schema);
  const formatter = createErrorFormatter(deps.logger);
  const format = (e: GraphQLError, original: unknown) => formatter(e.toJSON(), original);
  const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
    const value = params?.['authorization'] ?? params?.['Authorization'];
    return typeof value === 'string' ? value : undefined;
  };
  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema: deps.schema,
      onConnect: async (ctx) => {
        try {
          const context = await deps.contextFor(authorizationOf(ctx.connectionParams));
          if (context.principal.kind !== 'anonymous') return true;
          ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'UNAUTHENTICATED: send connectionParams.authorization');
          return false;
        } catch (err) {
          const code = (err as { extensions?: { code?: string } }).extensions?.code;
          ctx.extra.socket.close(code === 'RATE_LIMITED' ? CLOSE_RATE_LIMITED : CLOSE_UNAUTHORIZED, code ?? 'UNAUTHENTICATED');
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        // Refusals are an `error` message on this id (the connection stays), never a throw (4500).
        const prepared = prepare(payload);
        if (Array.isArray(prepared)) return prepared;
        const { document, variableValues } = prepared;
        const contextValue = await deps.contextFor(authorizationOf(ctx.connectionParams));
        return { schema: deps.schema, document, variableValues, operationName: payload.operationName ?? null, contextValue };
      },
      // The same error shapes as over HTTP: stable codes, no stack traces.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e, e)),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: result.errors.map((e) => format(e, e)) } : result),
    },
    wss,
  );
  return {
    async close() {
      await server.dispose();
    },
  };
}
