import type { EntityManager } from 'typeorm';
import type { Clock, Logger } from '../kernel/index.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface Alarm {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly raisedAt: Date;
}

/**
 * Evidence that the hub misbehaved (a checkpoint that does not verify, a log that forked, a
 * receipt or feed batch that does not match what the log commits to). Kept in the node's
 * database for `wildintel node status` and logged at error level for the operator's monitoring.
 */
export interface Alarms {
  raise(code: string, message: string, details?: Record<string, unknown>): Promise<void>;
}

export function createAlarms(db: Queryable, clock: Clock, logger: Logger): Alarms {
  return {
    async raise(code, message, details) {
      logger.error({ alarm: code, details }, `hub audit alarm: ${message}`);
      await db.query(`INSERT INTO node_alarms (code, message, details, raised_at) VALUES ($1, $2, $3::jsonb, $4)`, [code, message, details === undefined ? null : JSON.stringify(details), clock.now()]);
    },
  };
}

export async function recentAlarms(db: Queryable, limit = 20): Promise<{ count: number; recent: Alarm[] }> {
  const counted: Array<{ count: string | number }> = await db.query(`SELECT count(*) AS count FROM node_alarms`);
  const rows: Array<{ code: string; message: string; details: Record<string, unknown> | null; raised_at: Date }> = await db.query(
    `SELECT code, message, details, raised_at FROM node_alarms ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return { count: Number(counted[0]?.count ?? 0), recent: rows.map((r) => ({ code: r.code, message: r.message, ...(r.details === null ? {} : { details: r.details }), raisedAt: new Date(r.raised_at) })) };
}
