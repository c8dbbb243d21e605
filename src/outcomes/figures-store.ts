import type { EntityManager } from 'typeorm';
import { SqlParams, visibleSightingSql, visibleTypeSql, type Commodity, type Visibility } from '../indicators/index.js';
import { OutcomeError } from './errors.js';
import { outcomeFigures, type ListingRow, type OutcomeFigures, type OutcomeRow, type SightingRow } from './figures.js';

const MAX_WINDOW_MS = 366 * 86_400_000;
/** The indicators list is bounded; the other figures are small by construction (members, weeks × commodities) or the lag. */
const MAX_INDICATORS = 500;

type Queryable = Pick<EntityManager, 'query'>;

/**
 * The conditions that make outcome `alias` visible: the SQL form of `maySeeOutcome` (src/auth) over
 * the facts stored at ingest. Live (unretracted) outcomes only. A member sees its own outcomes.
 */
export function visibleOutcomeSql(vis: Visibility, params: SqlParams, alias = 'o'): string[] {
  const conditions = [`${alias}.retracted_at IS NULL`, ...visibleTypeSql(vis, params, alias)];
  const limits: string[] = [`${alias}.tlp = ANY(${params.add([...vis.tlps])}::text[])`];
  if (vis.commodities !== null) limits.push(`${alias}.commodities <@ ${params.add([...vis.commodities])}::text[]`);
  const limited = limits.join(' AND ');
  conditions.push(vis.ownMember === null ? `(${limited})` : `(${alias}.member = ${params.add(vis.ownMember)} OR (${limited}))`);
  return conditions;
}

/**
 * What the outcomes acted on in [from, to) tell, over the outcomes and sightings `vis` may see.
 * @throws OutcomeError `INVALID_FILTER` (from not before to, or more than 366 days)
 */
export async function readOutcomeFigures(db: Queryable, window: { from: Date; to: Date; commodity?: Commodity | null }, vis: Visibility): Promise<OutcomeFigures> {
  const span = window.to.getTime() - window.from.getTime();
  if (!(span > 0) || span > MAX_WINDOW_MS) throw new OutcomeError('INVALID_FILTER', 'outcomeFigures needs from before to, at most 366 days apart', { details: { field: span > 0 ? 'to' : 'from' } });
  const params = new SqlParams();
  const where = [...visibleOutcomeSql(vis, params), `o.acted_at >= ${params.add(window.from)}`, `o.acted_at < ${params.add(window.to)}`];
  if (window.commodity != null) where.push(`${params.add(window.commodity)} = ANY(o.commodities)`);
  const outcomes: Array<{ member: string; indicator_id: string; type: OutcomeRow['type']; action: OutcomeRow['action']; acted_at: Date; commodities: Commodity[] }> = await db.query(
    `SELECT o.member, o.indicator_id, o.type, o.action, o.acted_at, o.commodities FROM outcomes o WHERE ${where.join(' AND ')} LIMIT 100000`,
    params.values,
  );
  const rows = outcomes.map((o): OutcomeRow => ({ member: o.member, indicatorId: o.indicator_id, type: o.type, action: o.action, actedAt: new Date(o.acted_at), commodities: o.commodities }));
  const ids = [...new Set(rows.map((o) => o.indicatorId))];
  const figures = outcomeFigures(rows, await sightingsOf(db, ids, vis), await listingsOf(db, ids, vis));
  return { ...figures, indicators: figures.indicators.slice(0, MAX_INDICATORS), listings: figures.listings.slice(0, MAX_INDICATORS) };
}

/** Every visible sighting of these indicators, retracted and expired ones too (they count as first sightings), with whether it is live. */
async function sightingsOf(db: Queryable, ids: readonly string[], vis: Visibility): Promise<SightingRow[]> {
  if (ids.length === 0) return [];
  const params = new SqlParams([ids]);
  const conditions = ['s.indicator_id = ANY($1::text[])', ...visibleSightingSql(vis, params, { includeRetracted: true, includeExpired: true }), ...visibleTypeSql(vis, params)];
  const now = params.add(vis.now);
  const rows: Array<{ member: string; indicator_id: string; observed_at: Date; live: boolean }> = await db.query(
    `SELECT s.member, s.indicator_id, s.observed_at, (s.retracted_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > ${now})) AS live
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE ${conditions.join(' AND ')}`,
    params.values,
  );
  return rows.map((r) => ({ member: r.member, indicatorId: r.indicator_id, observedAt: new Date(r.observed_at), live: r.live }));
}

/** The listing pseudonyms of every visible sighting of these indicators (sightings from before listings were sent name none). */
async function listingsOf(db: Queryable, ids: readonly string[], vis: Visibility): Promise<ListingRow[]> {
  if (ids.length === 0) return [];
  const params = new SqlParams([ids]);
  const conditions = ['s.indicator_id = ANY($1::text[])', ...visibleSightingSql(vis, params, { includeRetracted: true, includeExpired: true }), ...visibleTypeSql(vis, params)];
  const rows: Array<{ member: string; indicator_id: string; listing: string }> = await db.query(
    `SELECT DISTINCT s.member, s.indicator_id, sl.listing
     FROM sighting_listings sl JOIN sightings s ON s.id = sl.sighting_id JOIN indicators i ON i.id = s.indicator_id WHERE ${conditions.join(' AND ')}`,
    params.values,
  );
  return rows.map((r) => ({ member: r.member, indicatorId: r.indicator_id, listing: r.listing }));
}
