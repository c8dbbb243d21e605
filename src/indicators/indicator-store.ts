import { WildintelError } from '../kernel/index.js';

/** What a reader of the store sees of an indicator: aggregated over its live sightings. */
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
  /** Insertion order; the basis of cursors. */
  seq: number;
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
  context: { language?: string; platformSection?: string; listingCount?: number } | null;
  originalText: string | null;
}

export interface IndicatorFilter {
  type?: string | null | undefined;
  commodity?: string | null | undefined;
  member?: string | null | undefined;
  value?: string | null | undefined;
  observedAfter?: Date | null | undefined;
  observedBefore?: Date | null | undefined;
}

export interface IndicatorPage {
  records: IndicatorRecord[];
  hasNextPage: boolean;
  totalCount: number;
}

export type IndicatorQueryErrorCode = 'INVALID_CURSOR' | 'INVALID_PAGE_SIZE';
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

/** Builds the WHERE clause; every value goes in as a parameter. */
function whereClause(filter: IndicatorFilter, params: unknown[]): string {
  const onIndicator: string[] = [];
  const onSighting: string[] = [];
  const add = (list: string[], sql: string, value: unknown): void => {
    params.push(value);
    list.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.type) add(onIndicator, 'i.type = ?', filter.type);
  if (filter.value) add(onIndicator, 'i.value = ?', filter.value);
  if (filter.commodity) add(onSighting, 's.commodity = ?', filter.commodity);
  if (filter.member) add(onSighting, 's.member = ?', filter.member);
  if (filter.observedAfter) add(onSighting, 's.observed_at >= ?', filter.observedAfter);
  if (filter.observedBefore) add(onSighting, 's.observed_at < ?', filter.observedBefore);
  const live = ['s.indicator_id = i.id', 's.retracted_at IS NULL', ...onSighting].join(' AND ');
  return [...onIndicator, `EXISTS (SELECT 1 FROM sightings s WHERE ${live})`].join(' AND ');
}

const AGGREGATE = `
  SELECT i.id, i.seq::float8 AS seq, i.type, i.value, i.quality,
         min(s.observed_at) AS "firstSeenAt", max(s.observed_at) AS "lastSeenAt",
         count(*)::int AS "sightingCount",
         to_json(array_agg(DISTINCT s.member ORDER BY s.member)) AS members,
         to_json(array_agg(DISTINCT s.commodity ORDER BY s.commodity)) AS commodities
  FROM indicators i JOIN sightings s ON s.indicator_id = i.id AND s.retracted_at IS NULL`;

function toRecord(row: Record<string, unknown>): IndicatorRecord {
  return {
    ...(row as unknown as IndicatorRecord),
    seq: Number(row['seq']),
    quality: row['quality'] === null ? null : Number(row['quality']),
    members: parseJsonArray(row['members']),
    commodities: parseJsonArray(row['commodities']),
  };
}

function parseJsonArray(value: unknown): string[] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as string[];
}

export async function findIndicator(db: Queryable, id: string): Promise<IndicatorRecord | null> {
  const rows = (await db.query(`${AGGREGATE} WHERE i.id = $1 GROUP BY i.id`, [id])) as Array<Record<string, unknown>>;
  return rows[0] === undefined ? null : toRecord(rows[0]);
}

export async function listIndicators(db: Queryable, filter: IndicatorFilter, page: { first: number; after?: string | null }): Promise<IndicatorPage> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_PAGE_SIZE) {
    throw new IndicatorQueryError('INVALID_PAGE_SIZE', `first must be between 1 and ${MAX_PAGE_SIZE}`, { details: { first: page.first } });
  }
  const params: unknown[] = [];
  const where = whereClause(filter, params);
  const countParams = [...params];
  let pageWhere = where;
  if (page.after) {
    params.push(decodeCursor(page.after));
    pageWhere = `${where} AND i.seq < $${params.length}`;
  }
  params.push(page.first + 1);
  const [rows, counted] = await Promise.all([
    db.query(`${AGGREGATE} WHERE ${pageWhere} GROUP BY i.id ORDER BY i.seq DESC LIMIT $${params.length}`, params) as Promise<Array<Record<string, unknown>>>,
    db.query(`SELECT count(*)::int AS n FROM indicators i WHERE ${where}`, countParams) as Promise<Array<{ n: number }>>,
  ]);
  return {
    records: rows.slice(0, page.first).map(toRecord),
    hasNextPage: rows.length > page.first,
    totalCount: counted[0]?.n ?? 0,
  };
}

export async function listSightings(db: Queryable, indicatorId: string): Promise<SightingRecord[]> {
  return db.query(
    `SELECT indicator_id AS "indicatorId", member, batch_id AS "batchId", observed_at AS "observedAt", commodity, species, purpose,
            confidence, tlp, expires_at AS "expiresAt", context, original_text AS "originalText"
     FROM sightings WHERE indicator_id = $1 AND retracted_at IS NULL ORDER BY observed_at, id`,
    [indicatorId],
  ) as Promise<SightingRecord[]>;
}
