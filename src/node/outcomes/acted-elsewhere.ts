/**
 * "Acted on elsewhere" (issue #22): indicators this member still has live sightings of, which
 * another member removed (or whose account it suspended) while this one recorded no outcome about
 * them — read from the feed, so only outcomes this member may see (its own, others' CLEAR–AMBER).
 */
import type { EntityManager } from 'typeorm';
import { isOutcomeRetraction, type OutcomeItem } from '../../provenance/index.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface ActedElsewhere {
  readonly count: number;
  readonly recent: ReadonlyArray<{ readonly indicatorId: string; readonly members: readonly string[]; readonly lastActedAt: string }>;
}

/** Stores the outcome items of one verified feed batch (inside the feed's transaction). */
export async function storeFeedOutcomes(tx: Queryable, member: string, leafIndex: number, items: readonly OutcomeItem[]): Promise<void> {
  const records = items.filter((o) => !isOutcomeRetraction(o)) as Array<Extract<OutcomeItem, { action: string }>>;
  const retracted = items.filter(isOutcomeRetraction).map((o) => o.outcomeId);
  if (records.length > 0) {
    await tx.query(
      `INSERT INTO node_feed_outcomes (member, outcome_id, indicator_id, action, acted_at, leaf_index)
       SELECT $1, t.id, t.indicator_id, t.action, t.acted_at, $2 FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[]) AS t(id, indicator_id, action, acted_at)
       ON CONFLICT (member, outcome_id) DO NOTHING`,
      [member, leafIndex, records.map((o) => o.outcomeId), records.map((o) => o.indicatorId), records.map((o) => o.action), records.map((o) => o.actedAt)],
    );
  }
  if (retracted.length > 0) await tx.query(`UPDATE node_feed_outcomes SET retracted = true WHERE member = $1 AND outcome_id = ANY($2::uuid[])`, [member, retracted]);
}

export async function readActedElsewhere(db: Queryable): Promise<ActedElsewhere> {
  const rows: Array<{ indicator_id: string; members: string[]; last: Date }> = await db.query(
    `SELECT f.indicator_id, array_agg(DISTINCT f.member ORDER BY f.member) AS members, max(f.acted_at) AS last
     FROM node_feed_outcomes f
     WHERE f.action IN ('REMOVED', 'ACCOUNT_SUSPENDED') AND NOT f.retracted
       AND NOT EXISTS (SELECT 1 FROM node_outcomes o WHERE o.outcome_id = f.outcome_id)
       AND NOT EXISTS (SELECT 1 FROM node_outcomes o WHERE o.indicator_id = f.indicator_id AND o.retracted_at IS NULL)
       AND EXISTS (SELECT 1 FROM node_sightings s JOIN node_batches b ON b.seq = s.batch_seq WHERE s.indicator_id = f.indicator_id AND s.retracted_in IS NULL AND b.state = 'accepted')
     GROUP BY f.indicator_id ORDER BY max(f.acted_at) DESC`,
  );
  return { count: rows.length, recent: rows.slice(0, 20).map((r) => ({ indicatorId: r.indicator_id, members: r.members, lastActedAt: new Date(r.last).toISOString() })) };
}
