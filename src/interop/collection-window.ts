/**
 * What one stretch of the transparency log adds to a collection, as positioned rows (no STIX yet).
 *
 * Every object of a collection sits at the log index of its latest change there, so that a
 * reader walking the log forward meets each version once, and a change made while it walks
 * moves the object ahead of it (it meets the new version later) rather than behind it:
 * - a member's identity at its first batch with a sighting in the collection;
 * - an indicator at the latest batch that reported or retracted one of its sightings in it;
 * - a sighting (when its member shares them) at its batch, or at the batch that retracted it;
 * - an opinion at its own entry, or at its indicator's first sighting in the collection if later.
 * Within an index the order is (ord, key). Every query reads only the window's stretch of the
 * log through indexes, so a page costs what it returns, however long the log.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import type { FeedMember, FeedOpinion, FeedSighting } from './feed-rows.js';
import { INDICATOR_COLUMNS, rows, SHARED_SQL, SIGHTING_COLUMNS, SIGHTING_JOINS, SqlParams, toFeedIndicator, toFeedSighting, visibleSql, visibleTypeOnlySql } from './feed-sql.js';
import type { FeedIndicator } from './feed-rows.js';

/** Where an object sits in a collection; positions are totally ordered by (leaf, ord, key). */
export interface Position {
  readonly leaf: number;
  readonly ord: number;
  readonly key: number;
}

export const ORD = { static: 0, identity: 1, indicator: 2, sighting: 3, opinion: 4, afterLeaf: 9 } as const;

export function comparePositions(a: Position, b: Position): number {
  return a.leaf - b.leaf || a.ord - b.ord || a.key - b.key;
}

export type WindowItem =
  | { kind: 'identity'; position: Position; member: FeedMember }
  | { kind: 'indicator'; position: Position; indicator: FeedIndicator; sightings: FeedSighting[]; firstLeaf: number }
  | { kind: 'sighting'; position: Position; indicator: FeedIndicator; sighting: FeedSighting }
  | { kind: 'opinion'; position: Position; opinion: FeedOpinion };

export type ItemKind = WindowItem['kind'];

export interface WindowQuery {
  /** The reader's visibility narrowed to the collection (collections.ts narrowTo). */
  readonly vis: Visibility;
  /** Log indexes (lo, hi]. */
  readonly lo: number;
  readonly hi: number;
  /** Only positions after this one. */
  readonly after: Position;
  readonly limit: number;
  readonly kinds: ReadonlySet<ItemKind>;
  /**
   * Every item each log index of the window changed, also those a later index changed again (an
   * item is then listed at each index that changed it), as positions only: what date_added
   * numbers (date-added.ts). Such sets never change once their index is logged.
   */
  readonly touched?: boolean;
}

/**
 * Implied by the sightings' visibility, since a sighting carries its batch's TLP: it lets the
 * planner pass over batches of other labels without reading their sightings. Not a decision of
 * its own: every query also applies the visibility to the sightings themselves.
 */
function batchOfVisibleTlp(vis: Visibility, p: SqlParams, batch = 'b'): string {
  return `${batch}.tlp = ANY(${p.add([...vis.tlps])}::text[])`;
}

/** `leaf`/`key` after the cursor, for items of `ord`. */
function afterSql(c: Position, ord: number, leaf: string, key: string, p: SqlParams): string {
  if (ord < c.ord) return `${leaf} > ${p.add(c.leaf)}`;
  if (ord > c.ord) return `${leaf} >= ${p.add(c.leaf)}`;
  return `(${leaf} > ${p.add(c.leaf)} OR (${leaf} = ${p.add(c.leaf)} AND ${key} > ${p.add(c.key)}))`;
}

/**
 * The kinds with anything to give (no member shares sightings, no opinion logged yet: none of
 * those can be in any window); asking only these changes no answer and saves a query each.
 */
export async function kindsWithContent(db: Queryable, kinds: Set<ItemKind>): Promise<Set<ItemKind>> {
  if (!kinds.has('sighting') && !kinds.has('opinion')) return kinds;
  const [r] = await rows(db, `SELECT EXISTS (SELECT 1 FROM interop_sighting_policy WHERE share) AS shared, EXISTS (SELECT 1 FROM opinions) AS opinions`, []);
  if (r?.['shared'] !== true) kinds.delete('sighting');
  if (r?.['opinions'] !== true) kinds.delete('opinion');
  return kinds;
}

/** The window's items of every asked kind, in position order, at most `limit`. */
export async function readWindow(db: Queryable, q: WindowQuery): Promise<WindowItem[]> {
  const parts = await Promise.all([
    q.kinds.has('identity') ? identities(db, q) : [],
    q.kinds.has('indicator') ? indicators(db, q) : [],
    q.kinds.has('sighting') ? sightings(db, q) : [],
    q.kinds.has('opinion') ? opinions(db, q) : [],
  ]);
  return parts.flat().sort((a, b) => comparePositions(a.position, b.position)).slice(0, q.limit);
}

async function identities(db: Queryable, q: WindowQuery): Promise<WindowItem[]> {
  const p = new SqlParams([q.lo, q.hi]);
  const hasVisible = (batch: string): string =>
    `${batchOfVisibleTlp(q.vis, p, batch)} AND EXISTS (SELECT 1 FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.member = ${batch}.member AND s.batch_id = ${batch}.batch_id AND ${visibleSql(q.vis, p, 's', 'i')})`;
  const firsts = `SELECT b.member, min(b.leaf_index) AS leaf FROM batches b
    WHERE b.leaf_index > $1 AND b.leaf_index <= $2 AND ${hasVisible('b')}
    GROUP BY b.member
    HAVING NOT EXISTS (SELECT 1 FROM batches b0 WHERE b0.member = b.member AND b0.leaf_index <= $1 AND ${hasVisible('b0')})`;
  const found = await rows(
    db,
    `SELECT f.leaf::float8 AS leaf, m.slug, m.name, m.enrolled_at AS "enrolledAt" FROM (${firsts}) f JOIN members m ON m.slug = f.member
     WHERE ${afterSql(q.after, ORD.identity, 'f.leaf', '0', p)} ORDER BY f.leaf LIMIT ${p.add(q.limit)}`,
    p,
  );
  return found.map((r) => ({
    kind: 'identity' as const,
    position: { leaf: Number(r['leaf']), ord: ORD.identity, key: 0 },
    member: { slug: String(r['slug']), name: String(r['name']), enrolledAt: new Date(r['enrolledAt'] as Date) },
  }));
}

/**
 * The sightings the reader may see of each indicator item, as of the item's own log index (later
 * retractions not yet made), in one query for a whole page. As of its index is as of the end of
 * the window that found it: an indicator sits at its latest visible change, so nothing it shows
 * changed between the two.
 */
export async function withSightings(db: Queryable, vis: Visibility, items: readonly WindowItem[]): Promise<WindowItem[]> {
  const wanted = items.filter((item) => item.kind === 'indicator');
  if (wanted.length === 0) return [...items];
  const p = new SqlParams([wanted.map((item) => item.indicator.id), wanted.map((item) => item.position.leaf)]);
  // Joined from the list of ids, so that each is one probe of the index by indicator: written as
  // `indicator_id = ANY(…)`, the planner also intersected the collection's commodity index, a
  // bitmap of every sighting of the commodity (27 ms a window at a million).
  const found = await rows(
    db,
    `SELECT ${SIGHTING_COLUMNS}, w.leaf::float8 AS "asOf" FROM unnest($1::text[], $2::bigint[]) AS w(id, leaf) JOIN sightings s ON s.indicator_id = w.id ${SIGHTING_JOINS}
     WHERE b.leaf_index <= w.leaf AND ${visibleSql(vis, p)} ORDER BY b.leaf_index, s.id`,
    p,
  );
  const bySighting = groupBy(
    found.map((r) => ({ s: toFeedSighting(r), asOf: Number(r['asOf']) })).map(({ s, asOf }) => (s.retractionLeaf !== null && s.retractionLeaf > asOf ? { ...s, retractedAt: null, retractionLeaf: null } : s)),
    (s) => s.indicatorId,
  );
  return items.map((item) => (item.kind === 'indicator' ? { ...item, sightings: bySighting.get(item.indicator.id) ?? [] } : item));
}

async function indicators(db: Queryable, q: WindowQuery): Promise<WindowItem[]> {
  const p = new SqlParams([q.lo, q.hi]);
  const touched = `SELECT s.indicator_id, b.leaf_index AS leaf FROM batches b JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
      WHERE b.leaf_index > $1 AND b.leaf_index <= $2 AND ${batchOfVisibleTlp(q.vis, p)} AND ${visibleSql(q.vis, p)}
    UNION
    SELECT s.indicator_id, rb.leaf_index FROM batches rb JOIN sightings s ON s.member = rb.member AND s.retracted_by = rb.batch_id
      WHERE rb.leaf_index > $1 AND rb.leaf_index <= $2 AND ${visibleSql(q.vis, p)}`;
  const latest = q.touched ? `SELECT DISTINCT t.indicator_id, t.leaf FROM (${touched}) t` : `SELECT t.indicator_id, max(t.leaf) AS leaf FROM (${touched}) t GROUP BY t.indicator_id`;
  // One pass over each indicator's sightings gives both its first log entry (every reader's, all
  // sightings) and its latest change the reader may see: it sits here only if that is this entry
  // (it has moved on otherwise). Not needed for the positions alone (touched).
  const history = q.touched
    ? ''
    : `JOIN LATERAL (SELECT min(b.leaf_index) AS first_leaf, max(greatest(b.leaf_index, rb.leaf_index)) FILTER (WHERE ${visibleSql(q.vis, p)}) AS last_change
         FROM sightings s ${SIGHTING_JOINS} WHERE s.indicator_id = l.indicator_id) h ON TRUE`;
  const found = await rows(
    db,
    `WITH latest AS (${latest})
     SELECT l.leaf::float8 AS leaf, i.seq::float8 AS seq, ${INDICATOR_COLUMNS}${q.touched ? '' : `, h.first_leaf::float8 AS "firstLeaf"`}
     FROM latest l JOIN indicators i ON i.id = l.indicator_id ${history}
     WHERE ${visibleTypeOnlySql(q.vis, p)} AND ${afterSql(q.after, ORD.indicator, 'l.leaf', 'i.seq', p)} AND ${q.touched ? 'TRUE' : '(h.last_change IS NULL OR h.last_change <= l.leaf)'}
     ORDER BY l.leaf, i.seq LIMIT ${p.add(q.limit)}`,
    p,
  );
  // Sightings are read for a whole page at once (withSightings), only for the items it keeps.
  return found.map((r) => ({
    kind: 'indicator' as const,
    position: { leaf: Number(r['leaf']), ord: ORD.indicator, key: Number(r['seq']) },
    indicator: toFeedIndicator(r),
    sightings: [],
    // Every reader's: created must be one value for the id (docs/interop.md "The STIX mapping").
    firstLeaf: q.touched ? 0 : Number(r['firstLeaf']),
  }));
}

async function sightings(db: Queryable, q: WindowQuery): Promise<WindowItem[]> {
  const p = new SqlParams([q.lo, q.hi]);
  // Two routes to the window, each through an index: reported in it and never retracted, or
  // retracted in it; either way the sighting sits at its latest change only (at both when touched).
  const route = (from: string, version: string): string => `SELECT ${SIGHTING_COLUMNS}, ${INDICATOR_COLUMNS}, ${version}::float8 AS position FROM ${from}
    JOIN indicators i ON i.id = s.indicator_id
    WHERE ${visibleSql(q.vis, p, 's', 'i')} AND ${afterSql(q.after, ORD.sighting, version, 's.id', p)} AND ${SHARED_SQL}`;
  const reported = `batches b JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
    LEFT JOIN batches rb ON rb.member = s.member AND rb.batch_id = s.retracted_by`;
  const retracted = `batches rb JOIN sightings s ON s.member = rb.member AND s.retracted_by = rb.batch_id
    JOIN batches b ON b.member = s.member AND b.batch_id = s.batch_id`;
  const found = await rows(
    db,
    `SELECT * FROM (${route(reported, q.touched ? 'b.leaf_index' : 'greatest(b.leaf_index, rb.leaf_index)')} AND b.leaf_index > $1 AND b.leaf_index <= $2 AND ${batchOfVisibleTlp(q.vis, p)} AND ${q.touched ? 'TRUE' : 'rb.leaf_index IS NULL'}
       UNION ALL ${route(retracted, 'greatest(b.leaf_index, rb.leaf_index)')} AND rb.leaf_index > $1 AND rb.leaf_index <= $2) x
     ORDER BY x.position, x."sightingId" LIMIT ${p.add(q.limit)}`,
    p,
  );
  return found.map((r) => ({ kind: 'sighting' as const, position: { leaf: Number(r['position']), ord: ORD.sighting, key: Number(r['sightingId']) }, indicator: toFeedIndicator(r), sighting: toFeedSighting(r) }));
}

const OPINION_COLUMNS = `o.id::float8 AS id, o.indicator_id AS "indicatorId", o.by_party AS by, o.verdict, o.note, o.leaf_index::float8 AS "leafIndex", o.record_sha256 AS "recordSha256"`;

async function opinions(db: Queryable, q: WindowQuery): Promise<WindowItem[]> {
  const p = new SqlParams([q.lo, q.hi]);
  const firstLeaf = `(SELECT min(b.leaf_index) FROM sightings s ${SIGHTING_JOINS} WHERE s.indicator_id = o.indicator_id AND ${visibleSql(q.vis, p)})`;
  // Two routes, each through an index: opinions logged in the window (by their log index), and
  // older opinions on an indicator whose first sighting in the collection is in the window (by
  // indicator); the position condition below keeps each at its one place.
  const logged = `SELECT o.*, ${firstLeaf} AS first_leaf FROM opinions o WHERE o.leaf_index > $1 AND o.leaf_index <= $2`;
  const arriving = `SELECT o.*, ${firstLeaf} AS first_leaf FROM opinions o WHERE o.leaf_index <= $1 AND o.indicator_id IN (
      SELECT s.indicator_id FROM batches b JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
      WHERE b.leaf_index > $1 AND b.leaf_index <= $2 AND ${batchOfVisibleTlp(q.vis, p)} AND ${visibleSql(q.vis, p)})`;
  const candidates = `SELECT c.* FROM (${logged} UNION ALL ${arriving}) c JOIN indicators i ON i.id = c.indicator_id WHERE ${visibleTypeOnlySql(q.vis, p)}`;
  const found = await rows(
    db,
    `SELECT ${OPINION_COLUMNS}, greatest(o.leaf_index, o.first_leaf)::float8 AS position FROM (${candidates}) o
     WHERE o.first_leaf IS NOT NULL AND greatest(o.leaf_index, o.first_leaf) > $1 AND greatest(o.leaf_index, o.first_leaf) <= $2
       AND ${afterSql(q.after, ORD.opinion, 'greatest(o.leaf_index, o.first_leaf)', 'o.id', p)}
     ORDER BY position, o.id LIMIT ${p.add(q.limit)}`,
    p,
  );
  return found.map((r) => ({
    kind: 'opinion' as const,
    position: { leaf: Number(r['position']), ord: ORD.opinion, key: Number(r['id']) },
    opinion: {
      id: Number(r['id']),
      indicatorId: String(r['indicatorId']),
      by: String(r['by']),
      verdict: r['verdict'] as FeedOpinion['verdict'],
      note: (r['note'] as string | null) ?? null,
      leafIndex: Number(r['leafIndex']),
      recordSha256: String(r['recordSha256']),
    },
  }));
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
