import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminSocketPath, type Config } from '../config/index.js';
import { createReadRouting, makePrivateDir, openDatabase, startStatisticsKeeper, type Database, type ReadRouting } from '../db/index.js';
import { buildSchema, createBatchEvents, createEvents, createGraphQLServer, operationMetricsPlugin, type GraphQLServices } from '../graphql/index.js';
import { digestCompletedHours, TOKEN_REVOCATIONS_CHANNEL } from '../auth/index.js';
import { startBatchTail, type BatchTail } from './batch-tail.js';
import { startSubscriptionServer, type SubscriptionServer } from './subscriptions.js';
import { contextFor } from './http-app.js';
import { VERSION, systemClock, type Clock, type Logger } from '../kernel/index.js';
import { startAdminSocket } from './admin-socket.js';
import { createHttpApp } from './http-app.js';
import { createMetrics } from './metrics.js';
import { listRoutes, type HttpRoute } from './route-list.js';
import { createHubServices, type HubServices } from './services.js';
import { createAlertMatcher } from '../watchlists/index.js';
import type { ReferralAnnouncement } from '../referrals/index.js';

export interface RunningHub {
  readonly services: HubServices;
  /** Base URL the hub listens on, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly database: Database;
  /** Every HTTP route and mounted handler (the suites that must cover every path check against it). */
  readonly routes: readonly HttpRoute[];
  /** Where read-only requests read: the replica when it is current (DATABASE_READ_URL), else the primary. */
  readonly reads: ReadRouting;
  /** Stops accepting, finishes in-flight requests (up to the grace period), closes the database. */
  stop(): Promise<void>;
}

export interface HubDeps {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
  /**
   * Set in a worker of `wildintel hub --workers N` (cluster.ts): the primary process announces
   * the hub, and operator commands reach Postgres directly, so the worker opens no admin socket.
   */
  worker?: { readonly index: number };
}

type Phase = 'running' | 'stopping' | 'stopped';

export async function startHub({ config, logger: parent, clock = systemClock, worker }: HubDeps): Promise<RunningHub> {
  // Every line names its service, so that logs of a whole federation can share one stream.
  const logger = parent.child({ service: 'hub' });
  makePrivateDir(config.DATA_DIR);
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, readUrl: config.DATABASE_READ_URL, dataDir: config.DATA_DIR }, { migrate: true });
  const reads = createReadRouting(database, { maxWaitMs: config.DATABASE_READ_MAX_WAIT_MS, logger });
  let phase: Phase = 'running';
  const httpServer = createServer();
  const schema = buildSchema(VERSION);
  const metrics = createMetrics();
  const apollo = createGraphQLServer({
    schema,
    httpServer,
    logger,
    version: VERSION,
    introspection: config.NODE_ENV !== 'production',
    plugins: [operationMetricsPlugin((name, outcome) => metrics.graphqlOperation(name, outcome))],
  });
  let admin: Server | undefined;
  let services: HubServices;
  let tail: BatchTail | undefined;
  let unlistenRevocations: (() => Promise<void>) | undefined;
  let subscriptions: SubscriptionServer | undefined;
  let routes: HttpRoute[] = [];
  const events = createBatchEvents();
  const referralEvents = createEvents<ReferralAnnouncement>();
  try {
    services = await createHubServices({ config, database, logger, clock, metrics, onReferralFiled: (filed) => referralEvents.publish(filed) });
    const live = services;
    metrics.observe({ logSize: () => live.log.size(database.dataSource), matchIndexSizes: () => live.matching.sizes(), accessAuditQueue: () => live.access.depth(), referrals: () => live.referrals.counts(null) });
    const ctx = { database, db: database.dataSource, clock, logger, services: async (): Promise<HubServices> => services };
    await services.matching.load();
    tail = await startBatchTail({ database, logger });
    const tokens = services.tokens;
    // A revoked token is refused from the next request on, and its open sessions are closed, in every process.
    unlistenRevocations = await database.listen(TOKEN_REVOCATIONS_CHANNEL, (jti) => {
      tokens.forget(jti);
      subscriptions?.closeToken(jti);
    });
    const { matching } = services;
    const alerts = createAlertMatcher({ db: database.dataSource, clock, logger });
    tail.onBatch(async () => void (await matching.refresh()));
    // Alerts are raised before the batch is announced, so the alert subscription finds them.
    tail.onBatch(async (batch) => void (await alerts.onBatch(batch)));
    tail.onBatch((batch) => events.publish(batch));
    const graphqlServices: GraphQLServices = {
      ingest: services.ingest,
      log: services.log,
      opinions: services.opinions,
      matcher: matching,
      members: services.members,
      events,
      disclosures: services.disclosures,
      referrals: services.referrals,
      referralEvents,
      warninglists: services.warninglists,
      quarantine: services.quarantine,
      hubOrigin: config.HUB_ORIGIN,
      recordAccess: services.access.record,
    };
    await apollo.start();
    const deps = { database, reads, services, graphqlServices, apollo, metrics, logger, clock, isAccepting: () => phase === 'running' };
    const app = createHttpApp(deps);
    routes = listRoutes(app);
    httpServer.on('request', app);
    subscriptions = startSubscriptionServer({
      httpServer,
      schema,
      logger,
      clock,
      contextFor: (authorization) => contextFor(deps, 'ws', authorization),
      isLive: (token) => tokens.isLive(token),
      recordAccess: services.access.record,
    });
    await listen(httpServer, config.PORT, config.HOST);
    if (worker === undefined) admin = await startAdminSocket(adminSocketPath(config.DATA_DIR), ctx);
  } catch (err) {
    await subscriptions?.close().catch(() => undefined);
    await tail?.stop().catch(() => undefined);
    await unlistenRevocations?.().catch(() => undefined);
    await apollo.stop().catch(() => undefined);
    httpServer.close();
    await database.close();
    throw err;
  }
  const digests = startAccessDigests({ database, services, clock, logger });
  const statistics = await startStatisticsKeeper(database, logger);
  const url = `http://${hostOf(httpServer)}`;
  const replica = database.replica === undefined ? {} : { readReplica: true };
  if (worker === undefined) logger.info({ url, database: database.kind, ...replica, version: VERSION }, 'hub listening');
  else logger.info({ url, worker: worker.index, pid: process.pid, ...replica }, 'hub worker listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      phase = 'stopping';
      logger.info('hub stopping: finishing in-flight requests');
      const force = setTimeout(() => httpServer.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      force.unref();
      // apollo.stop() closes the HTTP server and waits for in-flight requests (drain plugin).
      await subscriptions?.close();
      await apollo.stop();
      clearTimeout(force);
      clearInterval(digests);
      await statistics.stop();
      await tail?.stop();
      await unlistenRevocations?.();
      await services.access.flush();
      await new Promise<void>((resolve) => admin?.close(() => resolve()) ?? resolve());
      await database.close();
      phase = 'stopped';
      logger.info('hub stopped');
    })();
    return stopping;
  };
  return { url, database, reads, services, routes, stop };
}

/** Every minute, commit finished hours of access records to the log (idempotent across processes). */
function startAccessDigests(deps: { database: Database; services: HubServices; clock: Clock; logger: Logger }): NodeJS.Timeout {
  const run = (): void => {
    digestCompletedHours({ db: deps.database.dataSource, log: deps.services.log, clock: deps.clock })
      .then((written) => {
        for (const d of written) deps.logger.info({ agency: d.agency, hour: d.hour.toISOString(), count: d.count, leafIndex: d.leafIndex }, 'access digest logged');
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'access digest failed; retrying in a minute'));
  };
  run();
  const timer = setInterval(run, 60_000);
  timer.unref();
  return timer;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function hostOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
