import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import { contextError, type GraphQLContext, type GraphQLServices } from '../graphql/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import type { Database, ReadRouting } from '../db/index.js';
import { createBatchRoutes } from '../ingest/index.js';
import { authenticateBearer } from './authenticate.js';
import { createContentRoutes } from './read-routes.js';
import { AuthError } from '../auth/index.js';
import { createLogRoutes } from './log-routes.js';
import { createDisclosureRoutes } from '../disclosure/index.js';
import { readRoutedRouter } from './replica-routes.js';
import type { HubServices } from './services.js';
import type { HubMetrics } from './metrics.js';
import { requestLog } from './request-log.js';
import { createConsoleRoutes, securityHeaders } from '../console/index.js';
import { createInteropRoutes } from '../interop/index.js';
import { refuseUnsafeUrl } from './url-safety.js';
import { graphqlBodyErrors, refuseUnsafeGraphQLInput } from './graphql-edge.js';

export interface HttpAppDeps {
  database: Database;
  /** Where read-only requests read (the replica when it is current, read-routing.ts). */
  reads: ReadRouting;
  services: HubServices;
  apollo: ApolloServer<GraphQLContext>;
  graphqlServices: GraphQLServices;
  metrics: HubMetrics;
  logger: Logger;
  clock: Clock;
  /** False once shutdown began: /readyz then answers 503 so load balancers stop sending. */
  isAccepting: () => boolean;
}

const GRAPHQL_BODY_LIMIT = '1mb';

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLog(deps.logger, deps.metrics.httpDuration));
  app.use(refuseUnsafeUrl);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = deps.isAccepting() && (await deps.database.isReady());
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', database: deps.database.kind });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/.well-known/jwks.json', async (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(await deps.services.tokens.jwks());
  });
  app.use('/log', createLogRoutes(deps.reads, deps.services.log, deps.logger));
  app.use('/v1', createBatchRoutes(deps.services.ingest, deps.logger));
  app.use('/v1', readRoutedRouter(deps.reads, (db) => createContentRoutes({ db, services: deps.services, clock: deps.clock, logger: deps.logger })));
  app.use(
    '/v1',
    createDisclosureRoutes({ service: deps.services.disclosures, authenticate: (req) => authenticateBearer(deps.services, req.get('authorization')), rateLimiter: deps.services.rateLimiter, recordAccess: deps.services.access.record, clock: deps.clock, logger: deps.logger }),
  );

  app.use(createConsoleRoutes({ logger: deps.logger }));
  app.use(createInteropRoutes({ db: deps.database.dataSource, clock: deps.clock, logger: deps.logger, origin: deps.services.log.origin, authenticate: (authorization) => authenticateBearer(deps.services, authorization), rateLimiter: deps.services.exportRateLimiter, access: deps.services.access }));

  app.use(
    '/graphql',
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    refuseUnsafeGraphQLInput,
    expressMiddleware(deps.apollo, {
      context: async ({ req, res }) => contextFor(deps, String(res.locals['requestId']), req.get('authorization')),
    }),
    graphqlBodyErrors(GRAPHQL_BODY_LIMIT),
  );

  app.use((req, res) => {
    // A browser may be shown this page (a mistyped console address): same headers as the console.
    securityHeaders(req, res);
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * Authenticates the caller before anything runs (a bad token is a 401 for the whole request, not
 * a per-field error) and applies the per-token rate limit (429 with a retry hint).
 */
export async function contextFor(deps: Pick<HttpAppDeps, 'database' | 'reads' | 'services' | 'graphqlServices' | 'clock' | 'logger'>, requestId: string, authorization: string | undefined): Promise<GraphQLContext> {
  try {
    const principal = await authenticateBearer(deps.services, authorization);
    if (principal.kind === 'agency') {
      const decision = await deps.services.rateLimiter.take(principal.jti, deps.clock.now().getTime());
      if (!decision.allowed) {
        throw new AuthError('RATE_LIMITED', `too many requests with this token; retry in ${decision.retryAfterSeconds} s`, { details: { retryAfterSeconds: decision.retryAfterSeconds } });
      }
    }
    let reads: Promise<DataSource> | undefined;
    return { db: deps.database.dataSource, reads: () => (reads ??= deps.reads.fresh()), clock: deps.clock, logger: deps.logger.child({ requestId }), requestId, services: deps.graphqlServices, principal };
  } catch (err) {
    throw contextError(err, deps.logger);
  }
}

/** Body-parser and other middleware errors become coded JSON, never an HTML stack trace. */
function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `the request body is over ${GRAPHQL_BODY_LIMIT}` } });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'MALFORMED_REQUEST', message: 'the request body is not valid JSON' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } });
      return;
    }
    logger.error({ err }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal server error' } });
  };
}
