import { WildintelError } from '../kernel/index.js';
import { normalizeKeyword } from './keyword-normalization.js';
import { SqlParams, visibleSightingSql, visibleTypeSql, type HiddenSightings, type Visibility } from './visibility.js';
import type { OpinionStatus } from './vocabulary.js';

/** What a reader of the store sees of an indicator: aggregated over the sightings it may see. */
export interface IndicatorRecord {
  id: string;
  type: 'KEYWORD' | 'SELLER' | 'IMAGE_PDQ' | 'IMAGE_SHA256';
  value: string;
  quality: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  sightingCount: number;
  members: string[];
  commodities: string[];
  maxConfidence: number;
  status: OpinionStatus;
  /** Insertion order; the basis of cursors. */
  seq: number;
  /** How it was read, so that its sightings are read the same way. */
  view: IndicatorView;
}

export interface IndicatorView {
  readonly visibility: Visibility;
  readonly hidden: HiddenSightings;
}

export interface SightingRecord {
  indicatorId: string;
  member: string;
  batchId: string;
  observedAt: Date;
  commodity: string;
  species: string | null;
  purpose: string | null;
  confidence: number;
  tlp: string;
  expiresAt: Date | null;
  retractedAt: Date | null;
  context: { language?: string; platformSection?: string; listingCount?: number } | null;
  originalText: string | null;
}

export interface IndicatorFilter extends HiddenSightings {
  type?: string | null | undefined;
  commodity?: string | null | undefined;
  species?: string | null | undefined;
  member?: string | null | undefined;
  value?: string | null | undefined;
  /** KEYWORD indicators whose normalized text contains this (normalized the same way). */
  keywordContains?: string | null | undefined;
  minConfidence?: number | null | undefined;
  status?: OpinionStatus | null | undefined;
  observedAfter?: Date | null | undefined;
  observedBefore?: Date | null | undefined;
  /** Only sightings at this TLP label (within what the reader may see anyway). */
  tlp?: string | null | undefined;
  /** Only indicators with a sighting in this state; RETRACTED and EXPIRED imply including them. */
  sightingState?: SightingState | null | undefined;
}

export type SightingState = 'LIVE' | 'RETRACTED' | 'EXPIRED';

export interface IndicatorPage {
  records: IndicatorRecord[];
  hasNextPage: boolean;
}

export type IndicatorQueryErrorCode = 'INVALID_CURSOR' | 'INVALID_PAGE_SIZE' | 'INVALID_FILTER';
export class IndicatorQueryError extends WildintelError<IndicatorQueryErrorCode> {}

export const MAX_PAGE_SIZE = 500;

/** Cursors are opaque to clients; the version prefix lets their form change later. */
export function encodeCursor(record: Pick<IndicatorRecord, 'seq'>): string {
  return Buffer.from(`v1:${record.seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(text);
  if (match === null || encodeCursor({ seq: Number(match[1]) }) !== cursor) {
    throw new IndicatorQueryError('INVALID_CURSOR', 'the cursor is not one this hub issued; pass pageInfo.endCursor unchanged');
  }
  return Number(match[1]);
}

/** Anything that runs SQL: a DataSource, a transaction's EntityManager, or a bare pg pool adapter. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The aggregate status of the latest opinion of each party (design: DISPUTED when both kinds exist). */
export const OPINION_STATUS_SQL = `(SELECT CASE
    WHEN bool_or(o.verdict = 'CONFIRMED') AND bool_or(o.verdict = 'FALSE_POSITIVE') THEN 'DISPUTED'
    WHEN bool_or(o.verdict = 'CONFIRMED') THEN 'CONFIRMED'
    WHEN bool_or(o.verdict = 'FALSE_POSITIVE') THEN 'FALSE_POSITIVE'
    ELSE 'UNREVIEWED' END
  FROM opinion_latest o WHERE o.indicator_id = i.id)`;

const LIKE_SPECIAL = /[\\%_]/g;

/** The indicator-level and sighting-level conditions of a filter, as SQL over `i` and `f`. */
function filterSql(filter: IndicatorFilter, vis: Visibility, params: SqlParams): { onIndicator: string[]; onSighting: string[] } {
  const onIndicator = visibleTypeSql(vis, params);
  const onSighting = visibleSightingSql(vis, params, filter, 'f');
  if (filter.type) onIndicator.push(`i.type = ${params.add(filter.type)}`);
  if (filter.value) onIndicator.push(`i.value = ${params.add(filter.value)}`);
  if (filter.keywordContains) {
    const needle = normalizeKeyword(filter.keywordContains);
    if (needle.length === 0) throw new IndicatorQueryError('INVALID_FILTER', 'keywordContains has no letters or digits left after normalization');
    onIndicator.push(`i.type = 'KEYWORD'`, `i.value LIKE ${params.add(`%${needle.replace(LIKE_SPECIAL, '\\$&')}%`)}`);
  }
  if (filter.status) onIndicator.push(`${OPINION_STATUS_SQL} = ${params.add(filter.status)}`);
  if (filter.commodity) onSighting.push(`f.commodity = ${params.add(filter.commodity)}`);
  if (filter.species) onSighting.push(`f.species = ${params.add(filter.species)}`);
  if (filter.member) onSighting.push(`f.member = ${params.add(filter.member)}`);
  if (filter.minConfidence !== null && filter.minConfidence !== undefined) onSighting.push(`f.confidence >= ${params.add(filter.minConfidence)}`);
  if (filter.observedAfter) onSighting.push(`f.observed_at >= ${params.add(filter.observedAfter)}`);
  if (filter.observedBefore) onSighting.push(`f.observed_at < ${params.add(filter.observedBefore)}`);
  if (filter.tlp) onSighting.push(`f.tlp = ${params.add(filter.tlp)}`);
  if (filter.sightingState === 'LIVE') onSighting.push(...visibleSightingSql(vis, params, {}, 'f'));
  if (filter.sightingState === 'RETRACTED') onSighting.push('f.retracted_at IS NOT NULL');
  if (filter.sightingState === 'EXPIRED') onSighting.push(`f.expires_at <= ${params.add(vis.now)}`);
  return { onIndicator, onSighting };
}

/**
 * The indicators (one row each) matching `where`, aggregated over their visible sightings.
 * `where` may use `i` (indicators); the join with visible sightings is added here.
 */
function aggregateSql(vis: Visibility, hidden: HiddenSightings, params: SqlParams, where: string[], tail = ''): string {
  const visible = ['s.indicator_id = i.id', ...visibleSightingSql(vis, params, hidden)].join(' AND ');
  return `
    SELECT i.id, i.seq::float8 AS seq, i.type, i.value, i.quality,
           min(s.observed_at) AS "firstSeenAt", max(s.observed_at) AS "lastSeenAt",
           count(*)::int AS "sightingCount", max(s.confidence)::int AS "maxConfidence",
           to_json(array_agg(DISTINCT s.member ORDER BY s.member)) AS members,
           to_json(array_agg(DISTINCT s.commodity ORDER BY s.commodity)) AS commodities,
           ${OPINION_STATUS_SQL} AS status
    FROM indicators i JOIN sightings s ON ${visible}
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY i.id ${tail}`;
}

function toRecord(row: Record<string, unknown>, view: IndicatorView): IndicatorRecord {
  return {
    ...(row as unknown as IndicatorRecord),
    seq: Number(row['seq']),
    quality: row['quality'] === null ? null : Number(row['quality']),
    members: parseJsonArray(row['members']),
    commodities: parseJsonArray(row['commodities']),
    view,
  };
}

function parseJsonArray(value: unknown): string[] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as string[];
}

/** One indicator as `vis` sees it; null when it does not exist or has no visible sighting. */
export async function findIndicator(db: Queryable, id: string, vis: Visibility, hidden: HiddenSightings = {}): Promise<IndicatorRecord | null> {
  const params = new SqlParams([id]);
  const rows = (await db.query(aggregateSql(vis, hidden, params, ['i.id = $1', ...visibleTypeSql(vis, params)]), params.values)) as Array<Record<string, unknown>>;
  return rows[0] === undefined ? null : toRecord(rows[0], { visibility: vis, hidden });
}

/** Several indicators by id, as `vis` sees them, in the order of `ids` (invisible ones left out). */
export async function findIndicators(db: Queryable, ids: readonly string[], vis: Visibility, hidden: HiddenSightings = {}): Promise<IndicatorRecord[]> {
  if (ids.length === 0) return [];
  const params = new SqlParams([[...ids]]);
  const rows = (await db.query(aggregateSql(vis, hidden, params, ['i.id = ANY($1::text[])', ...visibleTypeSql(vis, params)]), params.values)) as Array<Record<string, unknown>>;
  const byId = new Map(rows.map((r) => [String(r['id']), toRecord(r, { visibility: vis, hidden })]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A filter on retracted or expired sightings also shows them (and their indicator's aggregates over them). */
function withSightingState(filter: IndicatorFilter): IndicatorFilter {
  if (filter.sightingState === 'RETRACTED') return { ...filter, includeRetracted: true };
  if (filter.sightingState === 'EXPIRED') return { ...filter, includeExpired: true };
  return filter;
}

/** The conditions an indicator must meet to be listed under `filter` by `vis`, over `i`. */
function listingWhere(filter: IndicatorFilter, vis: Visibility, params: SqlParams): string[] {
  const { onIndicator, onSighting } = filterSql(filter, vis, params);
  return [...onIndicator, `EXISTS (SELECT 1 FROM sightings f WHERE ${['f.indicator_id = i.id', ...onSighting].join(' AND ')})`];
}

/** A page of the indicators matching `filter`, newest first. */
export async function listIndicators(db: Queryable, given: IndicatorFilter, vis: Visibility, page: { first: number; after?: string | null }): Promise<IndicatorPage> {
  const filter = withSightingState(given);
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_PAGE_SIZE) {
    throw new IndicatorQueryError('INVALID_PAGE_SIZE', `first must be between 1 and ${MAX_PAGE_SIZE}`, { details: { first: page.first } });
  }
  const params = new SqlParams();
  const where = listingWhere(filter, vis, params);
  if (page.after) where.push(`i.seq < ${params.add(decodeCursor(page.after))}`);
  const limit = params.add(page.first + 1);
  // The page's ids first, walking the seq index newest first, then the aggregates of those rows
  // alone: aggregating every match before sorting made each page cost as much as the whole set.
  const sql = `WITH page AS (SELECT i.id FROM indicators i WHERE ${where.join(' AND ')} ORDER BY i.seq DESC LIMIT ${limit})
    ${aggregateSql(vis, filter, params, ['i.id IN (SELECT id FROM page)'], 'ORDER BY i.seq DESC')}`;
  const rows = (await db.query(sql, params.values)) as Array<Record<string, unknown>>;
  return {
    records: rows.slice(0, page.first).map((r) => toRecord(r, { visibility: vis, hidden: filter })),
    hasNextPage: rows.length > page.first,
  };
}

/**
 * How many indicators match `filter` as `vis` sees them, across all pages. Unlike a page, this
 * reads every match (about 3 µs each on Postgres), so callers compute it only when asked for.
 */
export async function countIndicators(db: Queryable, filter: IndicatorFilter, vis: Visibility): Promise<number> {
  const params = new SqlParams();
  const rows = (await db.query(`SELECT count(*)::int AS n FROM indicators i WHERE ${listingWhere(withSightingState(filter), vis, params).join(' AND ')}`, params.values)) as Array<{ n: number }>;
  return rows[0]?.n ?? 0;
}

/** The sightings of an indicator read the way the indicator was. */
export async function listSightings(db: Queryable, indicator: Pick<IndicatorRecord, 'id' | 'view'>): Promise<SightingRecord[]> {
  const params = new SqlParams([indicator.id]);
  const where = ['s.indicator_id = $1', ...visibleSightingSql(indicator.view.visibility, params, indicator.view.hidden)];
  return db.query(
    `SELECT indicator_id AS "indicatorId", member, batch_id AS "batchId", observed_at AS "observedAt", commodity, species, purpose,
            confidence, tlp, expires_at AS "expiresAt", retracted_at AS "retractedAt", context, original_text AS "originalText"
     FROM sightings s WHERE ${where.join(' AND ')} ORDER BY observed_at, id`,
    params.values,
  ) as Promise<SightingRecord[]>;
}
