import cluster, { type Address, type Worker } from 'node:cluster';
import { ConfigError, type Config } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { systemClock, type Logger } from '../kernel/index.js';
import { loadHubTrust } from './trust.js';

/**
 * `wildintel hub --workers N`: N hub processes on one Postgres database behind one port, with
 * node's cluster module. The primary process serves no request itself: it applies migrations and
 * creates any missing development keys once (so that the workers do not race to), forks the
 * workers (each runs the whole hub, src/hub/hub.ts, and the primary hands them connections in
 * turn), starts a new one in place of any that dies, and on SIGTERM or SIGINT passes SIGTERM to
 * each, waits for them to finish their requests, and exits. Workers whose primary is gone stop.
 *
 * Everything the processes share lives in Postgres (log, indicators, rate limits, revocations;
 * NOTIFY tells each of new batches and revoked tokens), so independent `wildintel hub` processes
 * behind a load balancer work the same way (docs/scaling.md).
 */
export interface ClusterOptions {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly workers: number;
}

/** The env var a worker learns its index from (0..N-1, kept by its replacement). */
export const WORKER_INDEX_ENV = 'WILDINTEL_WORKER_INDEX';

/** Refuses what cannot work before anything starts: PGlite belongs to one process. */
export function assertClusterable(config: Readonly<Config>, workers: number): void {
  if (workers > 1 && config.DATABASE_URL === undefined) {
    throw new ConfigError(`--workers ${workers} needs DATABASE_URL: the embedded database (PGlite) belongs to one process; run one hub process, or several on a Postgres server`, { variable: 'DATABASE_URL' });
  }
}

/** The worker's index when this process is a worker of `hub --workers`, else undefined. */
export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(process.env[WORKER_INDEX_ENV]);
  return Number.isSafeInteger(index) && index >= 0 ? index : 0;
}

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A worker that lived this long was healthy: its replacement starts without backing off. */
const HEALTHY_AFTER_MS = 10_000;

/** Runs the primary until it is told to stop; resolves with the exit code. */
export async function runHubCluster({ config, logger, workers }: ClusterOptions): Promise<number> {
  assertClusterable(config, workers);
  await prepare(config, logger);
  const slots = Array.from({ length: workers }, () => ({ worker: undefined as Worker | undefined, startedAt: 0, delayMs: RESTART_MIN_MS }));
  const listening = new Set<number>();
  let stopping = false;
  let failed = false;
  let announced = false;

  const fork = (index: number): void => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    const slot = slots[index]!;
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('listening', (address: Address) => {
      listening.add(index);
      if (listening.size === workers && !announced) announce(address);
    });
    worker.on('exit', (code, signal) => {
      listening.delete(index);
      slot.worker = undefined;
      if (stopping) {
        if (code !== 0) {
          failed = true;
          logger.warn({ worker: index, code, signal }, 'hub worker did not stop cleanly');
        }
        return;
      }
      const lived = Date.now() - slot.startedAt;
      slot.delayMs = lived > HEALTHY_AFTER_MS ? RESTART_MIN_MS : Math.min(slot.delayMs * 2, RESTART_MAX_MS);
      logger.error({ worker: index, pid: worker.process.pid, code, signal, restartInMs: slot.delayMs }, 'hub worker exited: starting another');
      setTimeout(() => !stopping && fork(index), slot.delayMs).unref();
    });
  };

  const announce = (address: Address): void => {
    announced = true;
    const host = address.addressType === 6 ? `[${address.address}]` : address.address;
    logger.info({ url: `http://${host}:${address.port}`, workers, pid: process.pid, database: 'postgres' }, 'hub listening');
  };

  for (let i = 0; i < workers; i++) fork(i);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: slots.filter((s) => s.worker).length }, 'hub cluster stopping: workers finish their requests');
      const live = slots.flatMap((s) => (s.worker ? [s.worker] : []));
      if (live.length === 0) return resolve();
      let left = live.length;
      const force = setTimeout(() => live.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), config.SHUTDOWN_TIMEOUT_MS + 5000);
      for (const w of live) {
        w.once('exit', () => {
          if (--left === 0) {
            clearTimeout(force);
            resolve();
          }
        });
        w.process.kill('SIGTERM');
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  logger.info({ clean: !failed }, 'hub cluster stopped');
  return failed ? 1 : 0;
}

/** Once, before any worker: migrations and the development federation's keys. */
async function prepare(config: Readonly<Config>, logger: Logger): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, readUrl: config.DATABASE_READ_URL, dataDir: config.DATA_DIR }, { migrate: true });
  try {
    await loadHubTrust(config, logger, systemClock);
  } finally {
    await database.close();
  }
}

/** In a worker: stop when the primary is gone (it held the listening socket). Returns what stops listening for that. */
export function onPrimaryGone(stop: () => void): () => void {
  if (!cluster.isWorker) return () => undefined;
  process.once('disconnect', stop);
  return () => void process.off('disconnect', stop);
}
