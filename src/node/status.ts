import type { EntityManager } from 'typeorm';
import type { ReportNumbers } from '../reports/index.js';
import { recentAlarms, type Alarm } from './alarms.js';
import { readActedElsewhere, type ActedElsewhere } from './outcomes/index.js';
import { recentDeadLetters, type DeadLetter } from './dead-letters.js';
import { disclosureCounts } from './disclosure-decisions.js';

type Queryable = Pick<EntityManager, 'query'>;

/** What `GET /v1/status` and `wildintel node status` show; never a raw value. */
export interface NodeStatus {
  readonly outbox: {
    /** Indicators and retractions not yet signed into a batch. */
    readonly pending: number;
    readonly queued: number;
    readonly accepted: number;
    readonly refused: number;
    /** The head of the queue, when the hub has not taken it yet. */
    readonly retrying?: { readonly batchId: string; readonly attempts: number; readonly nextAttemptAt: string; readonly lastError: string | null };
  };
  readonly refusedBatches: ReadonlyArray<{ readonly batchId: string; readonly tlp: string; readonly createdAt: string; readonly count: number; readonly code: string; readonly message: string }>;
  readonly lastReceipt?: { readonly batchId: string; readonly leafIndex: number; readonly acceptedAt: string; readonly audit: 'verified' | 'failed' | 'pending' };
  readonly audit: {
    readonly verified: number;
    readonly failed: number;
    readonly pending: number;
    readonly logKey: string | null;
    readonly checkpoint?: { readonly size: number; readonly at: string };
  };
  readonly alarms: { readonly count: number; readonly recent: readonly Alarm[] };
  /** Indicators this member still has live, which another member removed and this one recorded no outcome about. */
  readonly actedOnElsewhere: ActedElsewhere;
  /** Items the hub refused for good: never published (the rest of their batch was re-queued). */
  readonly deadLetters: { readonly count: number; readonly recent: readonly DeadLetter[] };
  readonly feed: { readonly next: number; readonly at: string | null; readonly halted: boolean; readonly indexed: { readonly keywords: number; readonly images: number } };
  /** Disclosure requests routed here: `pending` wait for the operator (wildintel node requests). */
  /** Public reports (src/reports): added by the running node. */
  readonly reports?: ReportNumbers;
  readonly disclosures: { readonly pending: number; readonly waiting: number; readonly answered: number; readonly declined: number; readonly expired: number; readonly invalid: number; readonly unsent: number };
}

/** Reads the node's status from its database; `runtime` adds what only the running process knows. */
export async function readNodeStatus(db: Queryable, runtime: { feedHalted: boolean } = { feedHalted: false }): Promise<NodeStatus> {
  const [counts]: Array<Record<string, string | number>> = await db.query(`
    SELECT (SELECT count(*) FROM node_pending) AS pending,
           count(*) FILTER (WHERE state = 'queued') AS queued,
           count(*) FILTER (WHERE state = 'accepted') AS accepted,
           count(*) FILTER (WHERE state = 'refused') AS refused,
           count(*) FILTER (WHERE audit = 'verified') AS verified,
           count(*) FILTER (WHERE audit = 'failed') AS failed,
           count(*) FILTER (WHERE state = 'accepted' AND audit IS NULL) AS unaudited
    FROM node_batches`);
  const n = (k: string): number => Number(counts?.[k] ?? 0);
  const [state]: Array<{ log_key: string | null; checkpoint_size: string | null; checkpoint_at: Date | null; feed_next: string | number; feed_at: Date | null }> = await db.query(
    `SELECT log_key, checkpoint_size, checkpoint_at, feed_next, feed_at FROM node_state WHERE id = 1`,
  );
  const [indexed]: Array<{ keywords: string | number; images: string | number }> = await db.query(
    `SELECT count(DISTINCT indicator_id) FILTER (WHERE type = 'KEYWORD') AS keywords, count(DISTINCT indicator_id) FILTER (WHERE type = 'IMAGE_PDQ') AS images FROM node_feed_indicators`,
  );
  const retrying = await headRetrying(db);
  const lastReceipt = await latestReceipt(db);
  return {
    outbox: { pending: n('pending'), queued: n('queued'), accepted: n('accepted'), refused: n('refused'), ...(retrying === undefined ? {} : { retrying }) },
    refusedBatches: await refusedBatches(db),
    ...(lastReceipt === undefined ? {} : { lastReceipt }),
    audit: {
      verified: n('verified'),
      failed: n('failed'),
      pending: n('unaudited'),
      logKey: state?.log_key ?? null,
      ...(state?.checkpoint_size == null || state.checkpoint_at === null ? {} : { checkpoint: { size: Number(state.checkpoint_size), at: iso(state.checkpoint_at) } }),
    },
    alarms: await recentAlarms(db),
    actedOnElsewhere: await readActedElsewhere(db),
    deadLetters: await recentDeadLetters(db),
    feed: { next: Number(state?.feed_next ?? 0), at: state?.feed_at == null ? null : iso(state.feed_at), halted: runtime.feedHalted, indexed: { keywords: Number(indexed?.keywords ?? 0), images: Number(indexed?.images ?? 0) } },
    disclosures: await disclosureCounts(db),
  };
}

async function headRetrying(db: Queryable): Promise<NodeStatus['outbox']['retrying']> {
  const [row]: Array<{ batch_id: string; attempts: number; next_attempt_at: Date; last_error: string | null }> = await db.query(
    `SELECT batch_id, attempts, next_attempt_at, last_error FROM node_batches WHERE state = 'queued' AND attempts > 0 ORDER BY seq LIMIT 1`,
  );
  return row === undefined ? undefined : { batchId: row.batch_id, attempts: row.attempts, nextAttemptAt: iso(row.next_attempt_at), lastError: row.last_error };
}

async function refusedBatches(db: Queryable): Promise<NodeStatus['refusedBatches']> {
  const rows: Array<{ batch_id: string; tlp: string; created_at: Date; count: number; refusal: { code: string; message: string } }> = await db.query(
    `SELECT batch_id, tlp, created_at, indicator_count + retraction_count AS count, refusal FROM node_batches WHERE state = 'refused' ORDER BY seq DESC LIMIT 20`,
  );
  return rows.map((r) => ({ batchId: r.batch_id, tlp: r.tlp, createdAt: iso(r.created_at), count: Number(r.count), code: r.refusal.code, message: r.refusal.message }));
}

async function latestReceipt(db: Queryable): Promise<NodeStatus['lastReceipt']> {
  const [row]: Array<{ batch_id: string; leaf_index: string | number; accepted_at: Date; audit: 'verified' | 'failed' | null }> = await db.query(
    `SELECT batch_id, leaf_index, accepted_at, audit FROM node_batches WHERE state = 'accepted' ORDER BY accepted_at DESC, seq DESC LIMIT 1`,
  );
  return row === undefined ? undefined : { batchId: row.batch_id, leafIndex: Number(row.leaf_index), acceptedAt: iso(row.accepted_at), audit: row.audit ?? 'pending' };
}

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}
