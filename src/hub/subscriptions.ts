import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { accessRecordOf, type AccessRecordInput, type AgencyPrincipal } from '../auth/index.js';
import { countReturned, createErrorFormatter, createWsOperationPreparer, outcomeOf, rootFields, type GraphQLContext, type Session } from '../graphql/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import type { JsonValue } from '../provenance/index.js';

/** Close codes graphql-ws clients understand: 4401 unauthorized, 4403 forbidden (revoked), 4429 too many requests. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_REVOKED = 4403;
const CLOSE_RATE_LIMITED = 4429;

export interface SubscriptionServerDeps {
  httpServer: Server;
  schema: GraphQLSchema;
  logger: Logger;
  clock: Clock;
  contextFor: (authorization: string | undefined) => Promise<GraphQLContext>;
  /** Whether a token verified earlier is still unexpired and unrevoked. */
  isLive: (token: { jti: string; exp: number }) => Promise<boolean>;
  recordAccess: (record: AccessRecordInput) => Promise<void>;
}

export interface SubscriptionServer {
  /** Closes every connection opened with this token (revoked, here or in another process). */
  closeToken(jti: string): void;
  close(): Promise<void>;
}

/**
 * GraphQL over WebSocket (graphql-ws) at /graphql. The token goes in the connection's
 * `connectionParams.authorization` ("Bearer …"). A connection follows its token: it is closed
 * (4401) when the token expires and (4403) when it is revoked, and every event is checked against
 * the token at delivery, so nothing is sent after either. The same limits, field scopes and
 * entitlement as over HTTP apply, and every operation and every delivered result of an agency
 * token is in the access audit, stored before the message leaves.
 */
export function startSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const prepare = createWsOperationPreparer(deps.schema);
  const formatter = createErrorFormatter(deps.logger);
  const format = (e: GraphQLError, original: unknown) => formatter(e.toJSON(), original);
  const sessions = createSessions(deps);
  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema: deps.schema,
      onConnect: async (ctx) => {
        try {
          const context = await deps.contextFor(authorizationOf(ctx.connectionParams));
          if (context.principal.kind === 'anonymous') {
            ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'UNAUTHENTICATED: send connectionParams.authorization');
            return false;
          }
          if (context.principal.kind === 'agency') sessions.open(ctx.extra.socket, context.principal);
          return true;
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
        let base: GraphQLContext;
        try {
          base = await deps.contextFor(authorizationOf(ctx.connectionParams));
        } catch (err) {
          // The token expired or was revoked since the connection opened: the session ends (4401);
          // a rate limit only refuses this operation.
          const refusal = err instanceof GraphQLError ? err : new GraphQLError('UNAUTHENTICATED', { extensions: { code: 'UNAUTHENTICATED' } });
          if (refusal.extensions['code'] !== 'RATE_LIMITED') sessions.close(ctx.extra.socket, CLOSE_UNAUTHORIZED, `${String(refusal.extensions['code'] ?? 'UNAUTHENTICATED')}: the token is no longer valid`);
          return [refusal];
        }
        const session = sessions.of(ctx.extra.socket);
        const contextValue: GraphQLContext = session === undefined ? base : { ...base, session };
        const args = { schema: deps.schema, document, variableValues, operationName: payload.operationName ?? null, contextValue };
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation?.operation === 'subscription') await record(deps, contextValue, args, { data: null }, 0);
        return args;
      },
      // The same error shapes as over HTTP: stable codes, no stack traces.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e, e)),
      onNext: async (_ctx, _id, _payload, args, result) => {
        const formatted = result.errors ? { ...result, errors: result.errors.map((e) => format(e, e)) } : result;
        const context = args.contextValue as GraphQLContext;
        try {
          await record(deps, context, args, result, countReturned(result.data as Record<string, unknown> | null | undefined));
        } catch (err) {
          return { errors: [{ message: (err as Error).message, extensions: { code: (err as { code?: string }).code ?? 'ACCESS_AUDIT_UNAVAILABLE' } }] };
        }
        return formatted;
      },
      onClose: (ctx) => sessions.end(ctx.extra.socket),
    },
    wss,
  );
  return {
    closeToken: (jti) => sessions.revoke(jti),
    async close() {
      sessions.endAll();
      await server.dispose();
    },
  };
}

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.['authorization'] ?? params?.['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

/** The access record of one operation or delivered result over graphql-ws (agency tokens only). */
async function record(deps: SubscriptionServerDeps, context: GraphQLContext, args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues'>, result: ExecutionResult, returned: number): Promise<void> {
  if (context.principal.kind !== 'agency') return;
  const operation = getOperationAST(args.document, args.operationName ?? undefined) ?? undefined;
  await deps.recordAccess(
    accessRecordOf(context.principal, {
      at: deps.clock.now(),
      operation: `ws:${args.operationName ?? operation?.name?.value ?? operation?.operation ?? 'unparsed'}`,
      fields: rootFields(operation),
      variables: (args.variableValues ?? {}) as JsonValue,
      returned,
      outcome: outcomeOf((result.errors?.length ?? 0) > 0, result.data),
    }),
  );
}

interface OpenSession extends Session {
  readonly jti: string;
  readonly timer: NodeJS.Timeout;
}

/** Agency connections by socket and by token, each closed when its token stops being good. */
function createSessions(deps: Pick<SubscriptionServerDeps, 'isLive' | 'clock'>) {
  const bySocket = new Map<WebSocket, OpenSession>();
  const byToken = new Map<string, Set<WebSocket>>();
  const end = (socket: WebSocket): void => {
    const session = bySocket.get(socket);
    if (session === undefined) return;
    clearTimeout(session.timer);
    bySocket.delete(socket);
    const sockets = byToken.get(session.jti);
    sockets?.delete(socket);
    if (sockets?.size === 0) byToken.delete(session.jti);
  };
  const shut = (socket: WebSocket, code: number, reason: string): void => {
    end(socket);
    socket.close(code, reason);
  };
  return {
    open(socket: WebSocket, principal: AgencyPrincipal): void {
      const untilExpiry = Math.max(0, principal.exp * 1000 - deps.clock.now().getTime());
      // setTimeout holds 32-bit delays; tokens live at most 24 h.
      const timer = setTimeout(() => shut(socket, CLOSE_UNAUTHORIZED, 'UNAUTHENTICATED: the token expired'), Math.min(untilExpiry, 2 ** 31 - 1));
      timer.unref();
      const token = { jti: principal.jti, exp: principal.exp };
      const session: OpenSession = {
        jti: principal.jti,
        timer,
        async live() {
          if (!bySocket.has(socket)) return false;
          if (await deps.isLive(token)) return true;
          shut(socket, CLOSE_UNAUTHORIZED, 'UNAUTHENTICATED: the token expired or was revoked');
          return false;
        },
      };
      bySocket.set(socket, session);
      byToken.set(principal.jti, (byToken.get(principal.jti) ?? new Set()).add(socket));
    },
    of: (socket: WebSocket): Session | undefined => bySocket.get(socket),
    close: shut,
    end,
    revoke(jti: string): void {
      for (const socket of [...(byToken.get(jti) ?? [])]) shut(socket, CLOSE_REVOKED, 'FORBIDDEN: the token was revoked');
    },
    endAll(): void {
      for (const socket of [...bySocket.keys()]) end(socket);
    },
  };
}
