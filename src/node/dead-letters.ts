/**
 * What the node does with a batch the hub refused for good. A refusal that names one item
 * (INVALID_INDICATOR, IDENTIFIER_IN_VALUE or UNKNOWN_SIGHTING with `details.index`) dead-letters that item and puts
 * the others back in node_pending, to be signed into a new batch; any other final refusal
 * (signature, certificate, conflict…) dead-letters every item of the batch. Either way the
 * batch leaves the queue, so a poison item never holds the outbox up, and nothing is lost
 * silently: `node status` lists the dead letters with the hub's code and reason. Outcome items
 * follow the same rule: one named by the refusal (UNKNOWN_OUTCOME_SIGHTING, OUTCOME_ID_CONFLICT,
 * UNKNOWN_OUTCOME) or every one of a batch refused whole is marked refused in node_outcomes (with
 * the hub's code, shown by `wildintel node outcomes list`), the others are queued again.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '../db/index.js';
import { indicatorId, type IndicatorType, type PublishedIndicator, type Tlp } from '../indicators/index.js';
import { readStoredBatch, type OutcomeItem, type Retraction } from '../provenance/index.js';
import { enqueue, type PendingItem, type Refusal } from './outbox.js';

type Queryable = Pick<EntityManager, 'query'>;

/** Refusals whose `details.index` names the one item at fault, and the list it indexes. */
const ITEM_REFUSALS: Readonly<Record<string, 'indicators' | 'retractions' | 'outcomes'>> = {
  INVALID_INDICATOR: 'indicators',
  KEYWORD_TOO_BROAD: 'indicators',
  IDENTIFIER_IN_VALUE: 'indicators',
  OBSERVED_AT_OUT_OF_RANGE: 'indicators',
  UNKNOWN_SIGHTING: 'retractions',
  UNKNOWN_OUTCOME_SIGHTING: 'outcomes',
  OUTCOME_ID_CONFLICT: 'outcomes',
  UNKNOWN_OUTCOME: 'outcomes',
};

export interface DeadLetter {
  readonly batchId: string;
  readonly index: number;
  readonly kind: 'indicator' | 'retraction';
  readonly indicatorId: string;
  /** KEYWORD, SELLER… for an indicator. */
  readonly type?: string;
  readonly code: string;
  readonly message: string;
  readonly deadAt: string;
}

interface RefusedBatch {
  readonly seq: number;
  readonly batchId: string;
  readonly jws: string;
}

interface Item {
  readonly index: number;
  readonly pending: PendingItem;
  readonly body: PublishedIndicator | Retraction;
}

/** Marks the batch refused and dead-letters what the refusal condemns, in one transaction. Returns how many items were dead-lettered and re-queued. */
export async function refuseBatch(db: DataSource, batch: RefusedBatch, refusal: Refusal, at: Date): Promise<{ dead: number; requeued: number }> {
  const { tlp, indicators, retractions, outcomes } = itemsOf(batch.jws);
  const culprit = culpritOf(refusal, { indicators: indicators.length, retractions: retractions.length, outcomes: outcomes.length });
  return db.transaction(async (tx) => {
    const changed = await updateReturning<{ seq: string }>(
      tx,
      `UPDATE node_batches SET state = 'refused', refusal = $2::jsonb, attempts = attempts + 1, last_error = $3 WHERE seq = $1 AND state = 'queued' RETURNING seq`,
      [batch.seq, JSON.stringify(refusal), `${refusal.code}: ${refusal.message}`],
    );
    // Another process already settled it (a concurrent publisher turn): nothing to do twice.
    if (changed.length === 0) return { dead: 0, requeued: 0 };
    await forgetSightings(tx, batch.seq);
    const all = [...indicators.map((i) => ({ ...i, kind: 'indicators' as const })), ...retractions.map((r) => ({ ...r, kind: 'retractions' as const }))];
    const condemned = culprit === undefined ? all : all.filter((i) => i.kind === culprit.list && i.index === culprit.index);
    const kept = culprit === undefined ? [] : all.filter((i) => !(i.kind === culprit.list && i.index === culprit.index));
    await insertDeadLetters(tx, batch.batchId, condemned, refusal, at);
    await enqueue(tx, kept.map((i) => ({ ...i.pending, tlp })), at);
    const refusedOutcomes = outcomes.filter((_, index) => culprit === undefined || (culprit.list === 'outcomes' && culprit.index === index));
    await markOutcomesRefused(tx, refusedOutcomes.map((o) => o.outcomeId), refusal, at);
    await enqueue(tx, outcomes.filter((o) => !refusedOutcomes.includes(o)).map((item) => ({ kind: 'outcome' as const, tlp, id: item.indicatorId, item })), at);
    return { dead: condemned.length + refusedOutcomes.length, requeued: kept.length + outcomes.length - refusedOutcomes.length };
  });
}

function culpritOf(refusal: Refusal, lengths: Record<'indicators' | 'retractions' | 'outcomes', number>): { list: 'indicators' | 'retractions' | 'outcomes'; index: number } | undefined {
  const list = ITEM_REFUSALS[refusal.code];
  const index = refusal.details?.['index'];
  if (list === undefined || typeof index !== 'number' || !Number.isInteger(index) || index < 0) return undefined;
  return index < lengths[list] ? { list, index } : undefined;
}

/** An outcome the hub refused is not sent again: the platform sees it refused, with the hub's code, in the outcome list. */
async function markOutcomesRefused(tx: Queryable, ids: readonly string[], refusal: Refusal, at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`UPDATE node_outcomes SET retracted_at = $2, retract_reason = $3 WHERE outcome_id = ANY($1::uuid[]) AND retracted_at IS NULL`, [ids, at, `refused by the hub: ${refusal.code}`]);
}

/** The items of a stored batch, read back from what it signed (the bytes the hub judged). */
function itemsOf(batch: string): { tlp: Tlp; indicators: Item[]; retractions: Item[]; outcomes: readonly OutcomeItem[] } {
  const stored = readStoredBatch(batch);
  const tlp = stored.envelope.tlp;
  return {
    tlp,
    indicators: (stored.indicators as unknown as PublishedIndicator[]).map((indicator, index) => ({ index, body: indicator, pending: { kind: 'indicator', tlp, id: indicatorId(indicator.type as IndicatorType, indicator.value), indicator } })),
    retractions: stored.retractions.map((r, index) => ({ index, body: r, pending: { kind: 'retraction', tlp, id: r.indicatorId, reason: r.reason } })),
    outcomes: stored.outcomes,
  };
}

/** A refused batch published nothing: its sightings go, and the earlier sightings its retractions withdrew are live again. */
async function forgetSightings(tx: Queryable, seq: number): Promise<void> {
  await tx.query(`UPDATE node_sightings SET retracted_in = NULL WHERE retracted_in = $1`, [seq]);
  await tx.query(`DELETE FROM node_sightings WHERE batch_seq = $1`, [seq]);
}

async function insertDeadLetters(tx: Queryable, batchId: string, items: ReadonlyArray<Item & { kind: 'indicators' | 'retractions' }>, refusal: Refusal, at: Date): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO node_dead_letters (batch_id, item_index, kind, indicator_id, body, code, message, details, dead_at)
     SELECT $1, t.idx, t.kind, t.id, t.body, $6, $7, $8::jsonb, $9 FROM unnest($2::int[], $3::text[], $4::text[], $5::jsonb[]) WITH ORDINALITY AS t(idx, kind, id, body, n) ORDER BY t.n`,
    [
      batchId,
      items.map((i) => i.index),
      items.map((i) => (i.kind === 'indicators' ? 'indicator' : 'retraction')),
      items.map((i) => i.pending.id),
      items.map((i) => JSON.stringify(i.body)),
      refusal.code,
      refusal.message,
      refusal.details === undefined ? null : JSON.stringify(refusal.details),
      at,
    ],
  );
}

/** How many dead letters there are, and the latest twenty (never their bodies: status output is shared widely). */
export async function recentDeadLetters(db: Queryable): Promise<{ count: number; recent: DeadLetter[] }> {
  const [total]: Array<{ n: number | string }> = await db.query(`SELECT count(*) AS n FROM node_dead_letters`);
  const rows: Array<{ batch_id: string; item_index: number; kind: 'indicator' | 'retraction'; indicator_id: string; type: string | null; code: string; message: string; dead_at: Date }> = await db.query(
    `SELECT batch_id, item_index, kind, indicator_id, body->>'type' AS type, code, message, dead_at FROM node_dead_letters ORDER BY seq DESC LIMIT 20`,
  );
  return {
    count: Number(total?.n ?? 0),
    recent: rows.map((r) => ({
      batchId: r.batch_id,
      index: r.item_index,
      kind: r.kind,
      indicatorId: r.indicator_id,
      ...(r.type === null ? {} : { type: r.type }),
      code: r.code,
      message: r.message,
      deadAt: new Date(r.dead_at).toISOString(),
    })),
  };
}
