import type { DataSource } from 'typeorm';
import { sharedRun, startedAfterCall, type Logger } from '../kernel/index.js';
import type { Database } from './database.js';

/**
 * Which connections a read runs on when a streaming replica is configured (DATABASE_READ_URL).
 * The rule is that a read never answers from an older state than one its caller could already
 * know of, so replica lag can delay a read or send it to the primary but never make it wrong:
 *
 * - `fresh()`: for the query path (indicators, seller, stats, matches, provenance, the feed, a
 *   batch, the checkpoint). It reads the primary's flushed WAL position after the call began
 *   and hands out the replica only once the replica has replayed past it, waiting at most
 *   `maxWaitMs`; otherwise the primary. Every commit acknowledged before the request arrived is
 *   flushed by then (the hub's sessions commit synchronously), so the replica then shows it:
 *   a member's own batch right after its receipt, an indicator a subscription just announced,
 *   a checkpoint at least as new as any served before. The position is read once for all the
 *   calls that arrive while a read of it is under way, and the replica's replay position is
 *   polled, so a burst of requests costs a few tiny queries, not one each.
 * - `ofLog(read)`: for reads of the append-only log named by explicit sizes (proofs, tiles,
 *   entries). What exists below a tree size never changes, so the replica's answer is right
 *   whenever it has that size; when it refuses the size as beyond its log (it lags), or fails
 *   in any way, the same read runs on the primary, whose answer stands.
 *
 * Writes, transactions and the access audit never come here: they use the primary directly.
 * Without a replica both hand out the primary at once.
 */
export interface ReadRouting {
  readonly primary: DataSource;
  readonly replica: DataSource | undefined;
  fresh(): Promise<DataSource>;
  ofLog<T>(read: (db: DataSource) => Promise<T>): Promise<T>;
  /** Counts since start: reads sent to each side, and `fresh()` calls that found the replica behind. */
  stats(): ReadRoutingStats;
}

export interface ReadRoutingStats {
  readonly replica: number;
  readonly primary: number;
  /** fresh() calls that waited for replay and got the replica. */
  readonly waited: number;
  /** fresh() calls that gave up on a lagging (or unreachable) replica. */
  readonly lagging: number;
  /** ofLog() reads that the replica could not answer. */
  readonly logFallbacks: number;
}

export interface ReadRoutingOptions {
  /** The longest a fresh read waits for the replica before it goes to the primary. */
  readonly maxWaitMs: number;
  /** After a wait ran out, how long reads go straight to the primary before the replica is tried again. */
  readonly backOffMs?: number;
  readonly logger: Logger;
}

/** A pg_lsn as a byte position (pg_lsn - '0/0'), exact as a bigint. */
const PRIMARY_LSN = `SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::text AS lsn`;
// NULL on a server not in recovery (the primary itself through another address): nothing to wait for.
const REPLAY_LSN = `SELECT CASE WHEN pg_is_in_recovery() THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text END AS lsn`;
const NOT_A_STANDBY = -1n;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createReadRouting(database: Pick<Database, 'dataSource' | 'replica'>, options: ReadRoutingOptions): ReadRouting {
  const primary = database.dataSource;
  const replica = database.replica;
  const counts = { replica: 0, primary: 0, waited: 0, lagging: 0, logFallbacks: 0 };
  const use = (side: 'replica' | 'primary'): DataSource => {
    counts[side]++;
    return side === 'replica' ? replica! : primary;
  };
  if (replica === undefined) {
    return { primary, replica, fresh: async () => use('primary'), ofLog: (read) => read(use('primary')), stats: () => ({ ...counts }) };
  }
  const primaryLsn = startedAfterCall(async () => lsnOf(await primary.query(PRIMARY_LSN)));
  const replayLsn = sharedRun(async () => {
    const value = lsnOf(await replica.query(REPLAY_LSN));
    return value ?? NOT_A_STANDBY;
  });
  let replayed = 0n;
  let behindUntil = 0;
  let warned = -Infinity;

  /** True once the replica has replayed `target`, polling until `deadline`. */
  const reaches = async (target: bigint, deadline: number): Promise<boolean> => {
    for (let delay = 1; ; delay = Math.min(delay * 2, 16)) {
      if (replayed >= target) return true;
      const now = await replayLsn();
      if (now === NOT_A_STANDBY) return true;
      if (now > replayed) replayed = now;
      if (replayed >= target) return true;
      if (performance.now() >= deadline) return false;
      await sleep(delay);
    }
  };

  const giveUp = (reason: string, err?: unknown): DataSource => {
    counts.lagging++;
    behindUntil = performance.now() + (options.backOffMs ?? 1000);
    if (performance.now() - warned > 10_000) {
      warned = performance.now();
      options.logger.warn({ err, reason }, 'the read replica is behind or unreachable: reads go to the primary for now');
    }
    return use('primary');
  };

  return {
    primary,
    replica,
    async fresh() {
      if (performance.now() < behindUntil) return use('primary');
      const deadline = performance.now() + options.maxWaitMs;
      // The primary not answering fails the request there, as without a replica.
      const target = await primaryLsn();
      if (target === undefined) return use('primary');
      try {
        const already = replayed >= target;
        if (!(await reaches(target, deadline))) return giveUp(`replay has not reached the primary's flushed WAL within ${options.maxWaitMs} ms`);
        if (!already) counts.waited++;
        return use('replica');
      } catch (err) {
        return giveUp('the replica did not answer', err);
      }
    },
    async ofLog(read) {
      try {
        return await read(use('replica'));
      } catch {
        counts.logFallbacks++;
        return read(use('primary'));
      }
    },
    stats: () => ({ ...counts }),
  };
}

function lsnOf(rows: Array<{ lsn: string | null }>): bigint | undefined {
  const text = rows[0]?.lsn;
  return text === null || text === undefined ? undefined : BigInt(text.split('.')[0]!);
}
