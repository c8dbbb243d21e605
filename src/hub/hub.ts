import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { openDatabase, type Database } from '../db/index.js';
import { createGraphQLServer } from '../graphql/index.js';
import { systemClock, type Clock, type Logger } from '../kernel/index.js';
import { adminSocketPath, startAdminSocket } from './admin-socket.js';
import { createHttpApp } from './http-app.js';
import { createMetrics } from './metrics.js';
import { VERSION } from './version.js';
import { createHubServices, type HubServices } from './services.js';

export interface RunningHub {
  readonly services: HubServices;
  /** Base URL the hub listens on, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly database: Database;
  /** Stops accepting, finishes in-flight requests (up to the grace period), closes the database. */
  stop(): Promise<void>;
}

export interface HubDeps {
  config: Readonly<Config>;
  logger: Logger;
  clock?: Clock;
}

type Phase = 'running' | 'stopping' | 'stopped';

export async function startHub({ config, logger, clock = systemClock }: HubDeps): Promise<RunningHub> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }, { migrate: true });
  let phase: Phase = 'running';
  const httpServer = createServer();
  const apollo = createGraphQLServer({ httpServer, logger, version: VERSION, introspection: config.NODE_ENV !== 'production' });
  let admin: Server | undefined;
  let services: HubServices;
  try {
    services = await createHubServices({ config, database, logger, clock });
    const ctx = { database, db: database.dataSource, clock, logger, services: async (): Promise<HubServices> => services };
    await apollo.start();
    const app = createHttpApp({ database, services, apollo, metrics: createMetrics(), logger, clock, isAccepting: () => phase === 'running' });
    httpServer.on('request', app);
    await listen(httpServer, config.PORT, config.HOST);
    admin = await startAdminSocket(adminSocketPath(config.DATA_DIR), ctx);
  } catch (err) {
    await apollo.stop().catch(() => undefined);
    httpServer.close();
    await database.close();
    throw err;
  }
  const url = `http://${hostOf(httpServer)}`;
  logger.info({ url, database: database.kind, version: VERSION }, 'hub listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      phase = 'stopping';
      logger.info('hub stopping: finishing in-flight requests');
      const force = setTimeout(() => httpServer.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      force.unref();
      // apollo.stop() closes the HTTP server and waits for in-flight requests (drain plugin).
      await apollo.stop();
      clearTimeout(force);
      await new Promise<void>((resolve) => admin?.close(() => resolve()) ?? resolve());
      await database.close();
      phase = 'stopped';
      logger.info('hub stopped');
    })();
    return stopping;
  };
  return { url, database, services, stop };
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
