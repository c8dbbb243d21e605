/**
 * Finding objects of a collection by STIX id (TAXII `match[id]`, `objects/<id>/`). Ids are UUIDv5
 * of wildintel's own keys and cannot be inverted, so each row stores its id, derived by Postgres
 * when the row is written, in an indexed column (migrations/1766400000000-stix-id-columns.ts): a
 * lookup is an index probe per asked id, whatever the size of the store. Members, a handful of
 * rows, are compared directly.
 * The object itself is then read through the same window as the collection walk, so it is
 * exactly the version, and at exactly the position, the walk would give.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { narrowTo, type CollectionRef } from './collections.js';
import { readCollectionPage, type FeedEntry } from './collection-feed.js';
import { comparePositions, ORD, type ItemKind, type Position } from './collection-window.js';
import { rows, SHARED_SQL, SIGHTING_JOINS, SqlParams, visibleSql } from './feed-sql.js';
import { addMicros } from './date-added.js';
import { BEFORE_LOG, logStart } from './log-times.js';
import { stixIds } from './stix-ids.js';
import { staticObjects } from './stix.js';

/** At most this many ids in one `match[id]`. */
export const MAX_MATCH_IDS = 50;

interface LookupQuery {
  readonly visibility: Visibility;
  readonly collection: CollectionRef;
  readonly origin: string;
  readonly ids: readonly string[];
}

/** A UUID as ids are written (lower case); anything else names no row, and is not sent as a uuid. */
const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);

type Finder = (db: Queryable, wanted: ReadonlySet<string>) => Promise<Map<string, Record<string, unknown>>>;

/** Rows whose STIX id is one of `wanted`: a probe of the index on the stored id (`stix_uuid`). */
function byIndex(type: 'indicator' | 'sighting' | 'opinion', columns: string, table: string): Finder {
  return async (db, wanted) => {
    const uuids = [...wanted].map((id) => id.slice(type.length + 2)).filter(isUuid);
    if (uuids.length === 0) return new Map();
    const found = await rows(db, `SELECT ${columns}, stix_uuid::text AS stix_uuid FROM ${table} WHERE stix_uuid = ANY($1::uuid[])`, [uuids]);
    return new Map(found.map((r) => [`${type}--${String(r['stix_uuid'])}`, r]));
  };
}

const FINDERS: Readonly<Record<string, Finder>> = {
  indicator: byIndex('indicator', 'id, seq::float8 AS seq', 'indicators'),
  sighting: byIndex('sighting', 'id::float8 AS id, member, batch_id::text AS batch, indicator_id', 'sightings'),
  opinion: byIndex('opinion', 'id::float8 AS id, leaf_index::float8 AS leaf, indicator_id', 'opinions'),
  identity: async (db, wanted) => {
    const members = await rows(db, 'SELECT slug FROM members', []);
    return new Map(members.flatMap((r) => (wanted.has(stixIds.member(String(r['slug']))) ? [[stixIds.member(String(r['slug'])), r] as const] : [])));
  },
};

/** Where each found row sits in the collection, if it is in it at all. */
async function positionOf(db: Queryable, vis: Visibility, type: string, r: Record<string, unknown>): Promise<{ position: Position; kind: ItemKind } | undefined> {
  const p = new SqlParams();
  const one = async (sql: string): Promise<number | undefined> => {
    const [row] = await rows(db, sql, p);
    return row === undefined || row['leaf'] === null ? undefined : Number(row['leaf']);
  };
  if (type === 'indicator') {
    const leaf = await one(`SELECT max(greatest(b.leaf_index, rb.leaf_index))::float8 AS leaf FROM sightings s ${SIGHTING_JOINS} JOIN indicators i ON i.id = s.indicator_id WHERE s.indicator_id = ${p.add(r['id'])} AND ${visibleSql(vis, p, 's', 'i')}`);
    return leaf === undefined ? undefined : { kind: 'indicator', position: { leaf, ord: ORD.indicator, key: Number(r['seq']) } };
  }
  if (type === 'sighting') {
    const leaf = await one(`SELECT greatest(b.leaf_index, rb.leaf_index)::float8 AS leaf FROM sightings s ${SIGHTING_JOINS} JOIN indicators i ON i.id = s.indicator_id
      WHERE s.id = ${p.add(r['id'])} AND ${visibleSql(vis, p, 's', 'i')} AND ${SHARED_SQL}`);
    return leaf === undefined ? undefined : { kind: 'sighting', position: { leaf, ord: ORD.sighting, key: Number(r['id']) } };
  }
  if (type === 'opinion') {
    const first = await one(`SELECT min(b.leaf_index)::float8 AS leaf FROM sightings s ${SIGHTING_JOINS} JOIN indicators i ON i.id = s.indicator_id WHERE s.indicator_id = ${p.add(r['indicator_id'])} AND ${visibleSql(vis, p, 's', 'i')}`);
    return first === undefined ? undefined : { kind: 'opinion', position: { leaf: Math.max(first, Number(r['leaf'])), ord: ORD.opinion, key: Number(r['id']) } };
  }
  const first = await one(`SELECT min(b.leaf_index)::float8 AS leaf FROM batches b WHERE b.member = ${p.add(r['slug'])} AND EXISTS (
    SELECT 1 FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.member = b.member AND s.batch_id = b.batch_id AND ${visibleSql(vis, p, 's', 'i')})`);
  return first === undefined ? undefined : { kind: 'identity', position: { leaf: first, ord: ORD.identity, key: 0 } };
}

/** The collection's current version of each asked object, in position order; unknown or invisible ids are left out. */
export async function findObjects(db: Queryable, q: LookupQuery): Promise<FeedEntry[]> {
  const vis = narrowTo(q.visibility, q.collection);
  const wanted = new Set(q.ids);
  const start = await logStart(db);
  // The fixed objects are the first entry's first items (date-added.ts): their ordinal is their key.
  const found: FeedEntry[] = staticObjects(q.collection.tlp, q.origin, start).flatMap((object, key) =>
    wanted.has(object.id) && start !== undefined ? [{ object, position: { leaf: BEFORE_LOG, ord: ORD.static, key }, dateAdded: addMicros(start, key) }] : [],
  );
  for (const [type, find] of Object.entries(FINDERS)) {
    const ofType = new Set([...wanted].filter((id) => id.startsWith(`${type}--`)));
    if (ofType.size === 0) continue;
    for (const [id, r] of await find(db, ofType)) {
      const at = await positionOf(db, vis, type, r);
      if (at === undefined) continue;
      // The walk itself, started just before the object's position, so the object is the one it gives.
      const page = await readCollectionPage(db, { visibility: q.visibility, collection: q.collection, origin: q.origin, after: { ...at.position, key: at.position.key - 1 }, limit: 1, types: new Set([type]) });
      const entry = page.entries[0];
      if (entry !== undefined && entry.object.id === id && comparePositions(entry.position, at.position) === 0) found.push(entry);
    }
  }
  return found.sort((a, b) => comparePositions(a.position, b.position));
}
