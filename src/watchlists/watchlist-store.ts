import type { DataSource } from 'typeorm';
import { updateReturning } from '../db/index.js';
import { findIndicators, SqlParams, visibleSightingSql, visibleTypeSql, type IndicatorRecord, type Queryable, type Visibility } from '../indicators/index.js';
import { criteriaFromJson, parseWatchlistInput, type AlertReason, type WatchlistCriteria, type WatchlistInput } from './criteria.js';
import { WatchlistError } from './errors.js';
import { ownerMatches, type WatchlistOwner } from './owner.js';

/** A watchlist as a reader of its agency sees it. */
export interface WatchlistView {
  id: string;
  name: string;
  criteria: WatchlistCriteria;
  /** The seller criterion was withheld: the reader's token may not see sellers. */
  sellerHidden: boolean;
  createdBy: string;
  createdAt: Date;
  /** Highest TLP it matches at (its creating token's). */
  ownerTlp: string;
  /** Alerts not yet acknowledged that the reader may see. */
  unacknowledged: number;
  /** It raises no alerts: the token that saved it was revoked (owner.ts, ownerMatches). */
  suspended: boolean;
}

/** An alert as a reader sees it: only ever one whose sighting the reader's visibility covers. */
export interface AlertView {
  id: string;
  watchlistId: string;
  watchlistName: string;
  reason: AlertReason;
  matched: string | null;
  distance: number | null;
  member: string;
  batchId: string;
  leafIndex: number;
  tlp: string;
  commodity: string;
  observedAt: Date;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  retracted: boolean;
  indicator: IndicatorRecord;
}

export interface AlertFilter {
  watchlistId?: string | null | undefined;
  acknowledged?: boolean | null | undefined;
}

export const MAX_WATCHLISTS_PER_AGENCY = 200;
export const MAX_ALERT_PAGE = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALERT_ID = /^[1-9][0-9]{0,15}$/;

function notFound(what: string): WatchlistError {
  return new WatchlistError('NOT_FOUND', `no such ${what} for your agency`);
}

/** Saves a watchlist for the owner's agency, matched from now on with the owner's entitlement. */
export async function createWatchlist(db: Queryable, owner: WatchlistOwner, input: WatchlistInput, vis: Visibility): Promise<WatchlistView> {
  const { name, criteria } = parseWatchlistInput(input, vis);
  const [count] = (await db.query(`SELECT count(*)::int AS n FROM watchlists WHERE agency = $1 AND deleted_at IS NULL`, [owner.agency])) as Array<{ n: number }>;
  if ((count?.n ?? 0) >= MAX_WATCHLISTS_PER_AGENCY) throw new WatchlistError('INVALID_WATCHLIST', `an agency may keep at most ${MAX_WATCHLISTS_PER_AGENCY} watchlists; delete one first`, { details: { field: 'input' } });
  const rows = (await db.query(
    `INSERT INTO watchlists (agency, name, criteria, created_by, created_jti, owner_tlp, owner_commodities, owner_scopes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
    [owner.agency, name, JSON.stringify(criteria), owner.sub, owner.jti, owner.tlp, owner.commodities?.join(' ') ?? null, owner.scopes.join(' '), vis.now],
  )) as Array<{ id: string }>;
  return { id: rows[0]!.id, name, criteria, sellerHidden: false, createdBy: owner.sub, createdAt: vis.now, ownerTlp: owner.tlp, unacknowledged: 0, suspended: !ownerMatches(owner, vis.now) };
}

interface WatchlistRow {
  id: string;
  name: string;
  criteria: unknown;
  created_by: string;
  created_at: Date | string;
  owner_tlp: string;
  owner_commodities: string | null;
  owner_scopes: string;
  agency: string;
  created_jti: string;
  owner_revoked_at: Date | string | null;
}

/** A watchlist with the revocation of the token that saved it (agency_tokens, by its jti). */
const WATCHLISTS_FROM = `watchlists w LEFT JOIN agency_tokens t ON t.jti = w.created_jti`;
const WATCHLIST_COLUMNS = `w.id::text AS id, w.name, w.criteria, w.created_by, w.created_at, w.owner_tlp, w.owner_commodities, w.owner_scopes, w.agency, w.created_jti, t.revoked_at AS owner_revoked_at`;

/** The agency's live watchlists, oldest first, with the reader's unacknowledged alerts counted. */
export async function listWatchlists(db: Queryable, agency: string, vis: Visibility): Promise<WatchlistView[]> {
  const rows = (await db.query(`SELECT ${WATCHLIST_COLUMNS} FROM ${WATCHLISTS_FROM} WHERE w.agency = $1 AND w.deleted_at IS NULL ORDER BY w.created_at, w.id`, [agency])) as WatchlistRow[];
  const counts = await unacknowledgedByWatchlist(db, agency, vis);
  return rows.map((r) => toView(r, vis, counts.get(r.id) ?? 0));
}

function toView(r: WatchlistRow, vis: Visibility, unacknowledged: number): WatchlistView {
  const criteria = criteriaFromJson(r.criteria);
  // Pseudonymous seller data is shown only to readers whose visibility includes sellers.
  const sellerHidden = criteria.seller !== null && !vis.types.includes('SELLER');
  return {
    id: r.id,
    name: r.name,
    criteria: sellerHidden ? { ...criteria, seller: null } : criteria,
    sellerHidden,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    ownerTlp: r.owner_tlp,
    unacknowledged,
    suspended: !ownerMatches(ownerOfRow(r), vis.now),
  };
}

/** Every live watchlist of every agency, for the matcher (hub work, never a reader's answer). */
export async function allLiveWatchlists(db: Queryable): Promise<Array<{ id: string; criteria: WatchlistCriteria; owner: WatchlistOwner }>> {
  const rows = (await db.query(`SELECT ${WATCHLIST_COLUMNS} FROM ${WATCHLISTS_FROM} WHERE w.deleted_at IS NULL ORDER BY w.created_at`)) as WatchlistRow[];
  return rows.map((r) => ({ id: r.id, criteria: criteriaFromJson(r.criteria), owner: ownerOfRow(r) }));
}

function ownerOfRow(r: WatchlistRow): WatchlistOwner {
  return {
    agency: r.agency,
    sub: r.created_by,
    jti: r.created_jti,
    tlp: r.owner_tlp as WatchlistOwner['tlp'],
    commodities: r.owner_commodities === null ? null : (r.owner_commodities.split(' ') as unknown as WatchlistOwner['commodities']),
    scopes: r.owner_scopes.split(' ') as unknown as WatchlistOwner['scopes'],
    revokedAt: r.owner_revoked_at === null ? null : new Date(r.owner_revoked_at),
  };
}

/** Stops a watchlist; its alerts are no longer listed. */
export async function deleteWatchlist(db: Pick<DataSource, 'query'>, agency: string, id: string, now: Date): Promise<string> {
  if (!UUID.test(id)) throw notFound('watchlist');
  const rows = await updateReturning<{ id: string }>(db, `UPDATE watchlists SET deleted_at = $3 WHERE id = $1::uuid AND agency = $2 AND deleted_at IS NULL RETURNING id::text AS id`, [id, agency, now]);
  if (rows.length === 0) throw notFound('watchlist');
  return id;
}

/**
 * The alerts the reader may see: of its agency's live watchlists, and only where the reader's
 * own visibility covers the sighting the alert names (retracted or expired ones included, so an
 * analyst learns that an alert was withdrawn). `where` adds conditions over `a`.
 */
function visibleAlertsSql(agency: string, vis: Visibility, params: SqlParams, where: string[]): string {
  const conditions = [
    `w.agency = ${params.add(agency)}`,
    'w.deleted_at IS NULL',
    ...visibleSightingSql(vis, params, { includeRetracted: true, includeExpired: true }),
    ...visibleTypeSql(vis, params),
    ...where,
  ];
  return `FROM watchlist_alerts a JOIN watchlists w ON w.id = a.watchlist_id
    JOIN sightings s ON s.member = a.member AND s.batch_id = a.batch_id AND s.indicator_id = a.indicator_id
    JOIN indicators i ON i.id = a.indicator_id
    WHERE ${conditions.join(' AND ')}`;
}

async function unacknowledgedByWatchlist(db: Queryable, agency: string, vis: Visibility): Promise<Map<string, number>> {
  const params = new SqlParams();
  const rows = (await db.query(`SELECT a.watchlist_id::text AS id, count(*)::int AS n ${visibleAlertsSql(agency, vis, params, ['a.acknowledged_at IS NULL'])} GROUP BY a.watchlist_id`, params.values)) as Array<{ id: string; n: number }>;
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

interface AlertRow {
  id: string | number;
  watchlist_id: string;
  watchlist_name: string;
  indicator_id: string;
  reason: AlertReason;
  matched: string | null;
  distance: number | null;
  member: string;
  batch_id: string;
  leaf_index: string | number;
  tlp: string;
  commodity: string;
  observed_at: Date | string;
  created_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  retracted_at: Date | string | null;
}

const ALERT_COLUMNS = `a.id, a.watchlist_id::text AS watchlist_id, w.name AS watchlist_name, a.indicator_id, a.reason, a.matched, a.distance, a.member,
  a.batch_id::text AS batch_id, a.leaf_index, s.tlp, s.commodity, s.observed_at, a.created_at, a.acknowledged_at, a.acknowledged_by, s.retracted_at`;

async function readAlerts(db: Queryable, agency: string, vis: Visibility, where: (params: SqlParams) => string[], tail: (params: SqlParams) => string): Promise<AlertView[]> {
  const params = new SqlParams();
  const sql = `SELECT ${ALERT_COLUMNS} ${visibleAlertsSql(agency, vis, params, where(params))} ${tail(params)}`;
  const rows = (await db.query(sql, params.values)) as AlertRow[];
  const records = await findIndicators(db, [...new Set(rows.map((r) => r.indicator_id))], vis, { includeRetracted: true, includeExpired: true });
  const byId = new Map(records.map((r) => [r.id, r]));
  return rows.flatMap((r) => {
    const indicator = byId.get(r.indicator_id);
    return indicator === undefined ? [] : [toAlert(r, indicator)];
  });
}

function toAlert(r: AlertRow, indicator: IndicatorRecord): AlertView {
  const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));
  return {
    id: String(r.id),
    watchlistId: r.watchlist_id,
    watchlistName: r.watchlist_name,
    reason: r.reason,
    matched: r.matched,
    distance: r.distance === null ? null : Number(r.distance),
    member: r.member,
    batchId: r.batch_id,
    leafIndex: Number(r.leaf_index),
    tlp: r.tlp,
    commodity: r.commodity,
    observedAt: new Date(r.observed_at),
    createdAt: new Date(r.created_at),
    acknowledgedAt: date(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    retracted: r.retracted_at !== null,
    indicator,
  };
}

function filterSql(filter: AlertFilter, params: SqlParams): string[] {
  const where: string[] = [];
  if (filter.watchlistId) {
    if (!UUID.test(filter.watchlistId)) throw notFound('watchlist');
    where.push(`a.watchlist_id = ${params.add(filter.watchlistId)}::uuid`);
  }
  if (filter.acknowledged === true) where.push('a.acknowledged_at IS NOT NULL');
  if (filter.acknowledged === false) where.push('a.acknowledged_at IS NULL');
  return where;
}

/** A page of the reader's visible alerts, newest first; `after` is an alert id from a previous page. */
export async function listAlerts(db: Queryable, agency: string, vis: Visibility, filter: AlertFilter, page: { first: number; after?: string | null }): Promise<{ alerts: AlertView[]; hasNextPage: boolean }> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_ALERT_PAGE) {
    throw new WatchlistError('INVALID_ALERT_FILTER', `first must be between 1 and ${MAX_ALERT_PAGE}`, { details: { first: page.first } });
  }
  if (page.after && !ALERT_ID.test(page.after)) throw new WatchlistError('INVALID_ALERT_FILTER', 'after must be an endCursor from a previous page');
  const alerts = await readAlerts(
    db,
    agency,
    vis,
    (params) => [...filterSql(filter, params), ...(page.after ? [`a.id < ${params.add(Number(page.after))}`] : [])],
    (params) => `ORDER BY a.id DESC LIMIT ${params.add(page.first + 1)}`,
  );
  return { alerts: alerts.slice(0, page.first), hasNextPage: alerts.length > page.first };
}

/** How many of the reader's visible alerts are not acknowledged (under the filter's watchlist). */
export async function countUnacknowledged(db: Queryable, agency: string, vis: Visibility, filter: AlertFilter): Promise<number> {
  const params = new SqlParams();
  const where = [...filterSql({ watchlistId: filter.watchlistId }, params), 'a.acknowledged_at IS NULL'];
  const rows = (await db.query(`SELECT count(*)::int AS n ${visibleAlertsSql(agency, vis, params, where)}`, params.values)) as Array<{ n: number }>;
  return Number(rows[0]?.n ?? 0);
}

/** The reader's visible alerts raised for one batch (what the alert subscription pushes). */
export async function alertsOfBatch(db: Queryable, agency: string, vis: Visibility, batch: { member: string; batchId: string }): Promise<AlertView[]> {
  return readAlerts(db, agency, vis, (params) => [`a.member = ${params.add(batch.member)}`, `a.batch_id = ${params.add(batch.batchId)}::uuid`], () => 'ORDER BY a.id');
}

/**
 * Marks alerts acknowledged (or not) for the agency, by the analyst. Only alerts the reader may
 * see can be changed; an id the reader cannot see is NOT_FOUND, and then nothing changes.
 */
export async function acknowledgeAlerts(db: Queryable, agency: string, vis: Visibility, change: { ids: readonly string[]; acknowledged: boolean; by: string }): Promise<AlertView[]> {
  const ids = [...new Set(change.ids)];
  if (ids.length === 0 || ids.length > MAX_ALERT_PAGE) throw new WatchlistError('INVALID_ALERT_FILTER', `give 1 to ${MAX_ALERT_PAGE} alert ids`);
  if (ids.some((id) => !ALERT_ID.test(id))) throw notFound('alert');
  const numeric = ids.map(Number);
  const visible = await readAlerts(db, agency, vis, (params) => [`a.id = ANY(${params.add(numeric)}::bigint[])`], () => 'ORDER BY a.id');
  if (visible.length !== ids.length) throw notFound('alert');
  await db.query(
    change.acknowledged
      ? `UPDATE watchlist_alerts SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = ANY($1::bigint[])`
      : `UPDATE watchlist_alerts SET acknowledged_at = NULL, acknowledged_by = NULL WHERE id = ANY($1::bigint[])`,
    change.acknowledged ? [numeric, vis.now, change.by] : [numeric],
  );
  return visible.map((a) => ({ ...a, acknowledgedAt: change.acknowledged ? vis.now : null, acknowledgedBy: change.acknowledged ? change.by : null }));
}
