import type { DataSource } from 'typeorm';
import { BATCHES_CHANNEL } from '../ingest/index.js';
import type { Database } from '../db/index.js';
import type { Tlp } from '../indicators/index.js';
import type { Logger } from '../kernel/index.js';

/** An accepted batch, as the tail announces it (in log order). */
export interface AcceptedBatch {
  readonly leafIndex: number;
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
}

export interface BatchTail {
  /** Registers a consumer of every batch accepted from now on (by any hub process). */
  onBatch(consumer: (batch: AcceptedBatch) => Promise<void> | void): void;
  /** Reads what was accepted since the last read (also called on each NOTIFY and by the poll). */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

const PAGE = 200;

/**
 * Follows the batches table in log order. A NOTIFY from ingest (any process) wakes it at once; a
 * slow poll covers notifications lost while the listening connection was being re-opened.
 * Consumers see each batch once per process, in order.
 */
export async function startBatchTail(deps: { database: Database; logger: Logger; pollMs?: number }): Promise<BatchTail> {
  const db: DataSource = deps.database.dataSource;
  const consumers: Array<(batch: AcceptedBatch) => Promise<void> | void> = [];
  const start: Array<{ n: string | number | null }> = await db.query(`SELECT max(leaf_index) AS n FROM batches`);
  let after = start[0]?.n === null || start[0]?.n === undefined ? -1 : Number(start[0].n);
  let running: Promise<void> | undefined;
  let again = false;

  const readAll = async (): Promise<void> => {
    for (;;) {
      const rows: Array<{ leaf_index: string | number; member: string; batch_id: string; tlp: Tlp }> = await db.query(
        `SELECT leaf_index, member, batch_id, tlp FROM batches WHERE leaf_index > $1 ORDER BY leaf_index LIMIT ${PAGE}`,
        [after],
      );
      for (const r of rows) {
        const batch: AcceptedBatch = { leafIndex: Number(r.leaf_index), member: r.member, batchId: r.batch_id, tlp: r.tlp };
        for (const consume of consumers) {
          try {
            await consume(batch);
          } catch (err) {
            deps.logger.error({ err, leafIndex: batch.leafIndex }, 'a batch consumer failed');
          }
        }
        after = batch.leafIndex;
      }
      if (rows.length < PAGE) return;
    }
  };

  const catchUp = async (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await readAll();
        } while (again);
      } catch (err) {
        deps.logger.warn({ err }, 'reading accepted batches failed; the next notification or poll retries');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const unlisten = await deps.database.listen(BATCHES_CHANNEL, () => void catchUp());
  const poll = setInterval(() => void catchUp(), deps.pollMs ?? 5000);
  poll.unref();
  return {
    onBatch: (consumer) => void consumers.push(consumer),
    catchUp,
    async stop() {
      clearInterval(poll);
      await unlisten();
      await running;
    },
  };
}
