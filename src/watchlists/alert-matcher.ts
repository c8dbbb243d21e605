import type { DataSource } from 'typeorm';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Visibility } from '../indicators/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import { matchCriteria, type Candidate, type CriteriaMatch } from './criteria.js';
import { ownerMatches, ownerVisibility } from './owner.js';
import { allLiveWatchlists } from './watchlist-store.js';

/** An accepted batch, as the hub's batch tail announces it. */
export interface MatchedBatch {
  readonly leafIndex: number;
  readonly member: string;
  readonly batchId: string;
}

/**
 * Raises alerts when a batch is accepted: every live watchlist whose saving token has not been
 * revoked (ownerMatches) is matched against the batch's sightings as its owner may see them (the
 * sightings are read through the owner's visibility, so an alert is never made from what the
 * owning token could not read). Idempotent: every hub process matches every batch, and an alert
 * names its sighting once per watchlist.
 */
export function createAlertMatcher(deps: { db: DataSource; clock: Clock; logger: Logger }) {
  return {
    async onBatch(batch: MatchedBatch): Promise<number> {
      const now = deps.clock.now();
      const watchlists = (await allLiveWatchlists(deps.db)).filter((w) => ownerMatches(w.owner, now));
      if (watchlists.length === 0) return 0;
      // Owners who see the same read the batch once.
      const groups = new Map<string, { vis: Visibility; members: typeof watchlists }>();
      for (const w of watchlists) {
        const vis = ownerVisibility(w.owner, now);
        const key = JSON.stringify([vis.tlps, vis.commodities, vis.types]);
        const group = groups.get(key) ?? { vis, members: [] };
        group.members.push(w);
        groups.set(key, group);
      }
      const rows: Array<{ watchlistId: string; candidate: Candidate; match: CriteriaMatch }> = [];
      for (const { vis, members } of groups.values()) {
        const candidates = await visibleSightingsOf(deps.db, batch, vis);
        for (const w of members) {
          for (const candidate of candidates) {
            const match = matchCriteria(w.criteria, candidate);
            if (match !== null) rows.push({ watchlistId: w.id, candidate, match });
          }
        }
      }
      if (rows.length > 0) await insertAlerts(deps.db, batch, rows, now);
      if (rows.length > 0) deps.logger.info({ member: batch.member, batchId: batch.batchId, alerts: rows.length }, 'watchlist alerts raised');
      return rows.length;
    },
  };
}

export type AlertMatcher = ReturnType<typeof createAlertMatcher>;

async function visibleSightingsOf(db: DataSource, batch: MatchedBatch, vis: Visibility): Promise<Candidate[]> {
  const params = new SqlParams([batch.member, batch.batchId]);
  const where = ['s.member = $1', 's.batch_id = $2::uuid', ...visibleSightingSql(vis, params), ...visibleTypeSql(vis, params)];
  return db.query(
    `SELECT s.indicator_id AS "indicatorId", i.type, i.value, s.commodity FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE ${where.join(' AND ')} ORDER BY s.id`,
    params.values,
  );
}

const INSERT_CHUNK = 500;

async function insertAlerts(db: DataSource, batch: MatchedBatch, rows: Array<{ watchlistId: string; candidate: Candidate; match: CriteriaMatch }>, now: Date): Promise<void> {
  for (let at = 0; at < rows.length; at += INSERT_CHUNK) {
    const chunk = rows.slice(at, at + INSERT_CHUNK);
    const params: unknown[] = [batch.member, batch.batchId, batch.leafIndex, now];
    const values = chunk.map(({ watchlistId, candidate, match }) => {
      params.push(watchlistId, candidate.indicatorId, match.reason, match.matched, match.distance);
      const n = params.length;
      return `($${n - 4}::uuid, $${n - 3}, $1, $2::uuid, $3, $${n - 2}, $${n - 1}, $${n}, $4)`;
    });
    await db.query(
      `INSERT INTO watchlist_alerts (watchlist_id, indicator_id, member, batch_id, leaf_index, reason, matched, distance, created_at)
       VALUES ${values.join(', ')} ON CONFLICT ON CONSTRAINT watchlist_alerts_once DO NOTHING`,
      params,
    );
  }
}
