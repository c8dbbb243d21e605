/**
 * Finding objects of a collection by STIX id (TAXII `match[id]`, `objects/<id>/`). Ids are UUIDv5
 * of wildintel's own keys and cannot be inverted, so each asked id is found by deriving the ids of
 * the candidates of its type (indicators, sightings, opinions, members) in one keyset-paged scan
 * and comparing: O(candidates) hashing, the price of the deterministic ids the issue asks for.
 * The object itself is then read through the same window as the collection walk, so it is
 * exactly the version, and at exactly the position, the walk would give.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { narrowTo, type CollectionRef } from './collections.js';
import { readCollectionPage, type FeedEntry } from './collection-feed.js';
import { comparePositions, ORD, type ItemKind, type Position } from './collection-window.js';
import { rows, SHARED_SQL, SIGHTING_JOINS, SqlParams, visibleSql } from './feed-sql.js';
import { BEFORE_LOG, leafTimes } from './log-times.js';
import { stixIds } from './stix-ids.js';
import { staticObjects } from './stix.js';

/** At most this many ids in one `match[id]`. */
export const MAX_MATCH_IDS = 50;
const SCAN_PAGE = 20_000;
const MAX_REMEMBERED = 10_000;

/**
 * Rows found by id, per database: a row's keys never change, so neither does the id derived from
 * them, and asking for the same object again costs no scan.
 */
const remembered = new WeakMap<Queryable, Map<string, Record<string, unknown>>>();
let scanning: Promise<unknown> = Promise.resolve();

/** One scan at a time per process: each is a pass over a table, and a burst must not take every core. */
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = scanning.then(task, task);
  scanning = run.catch(() => undefined);
  return run;
}

async function lookUp(db: Queryable, scan: Scanner, ids: ReadonlySet<string>): Promise<Map<string, Record<string, unknown>>> {
  const cache = remembered.get(db) ?? new Map<string, Record<string, unknown>>();
  remembered.set(db, cache);
  const missing = new Set([...ids].filter((id) => !cache.has(id)));
  if (missing.size > 0) {
    for (const [id, row] of await oneAtATime(() => scan(db, missing))) {
      if (cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value!);
      cache.set(id, row);
    }
  }
  return new Map([...ids].flatMap((id) => (cache.has(id) ? [[id, cache.get(id)!] as const] : [])));
}

interface LookupQuery {
  readonly visibility: Visibility;
  readonly collection: CollectionRef;
  readonly origin: string;
  readonly ids: readonly string[];
}

type Scanner = (db: Queryable, wanted: ReadonlySet<string>) => Promise<Map<string, Record<string, unknown>>>;

/** Pages through `table` by `key`, deriving each row's STIX id, until every wanted id is found. */
function scanner(sql: string, key: string, idOf: (r: Record<string, unknown>) => string): Scanner {
  return async (db, wanted) => {
    const found = new Map<string, Record<string, unknown>>();
    let after: number = -1;
    for (;;) {
      const page = await rows(db, sql, [after, SCAN_PAGE]);
      for (const r of page) {
        const id = idOf(r);
        if (wanted.has(id)) found.set(id, r);
      }
      if (page.length < SCAN_PAGE || found.size === wanted.size) return found;
      after = Number(page.at(-1)![key]);
    }
  };
}

const SCANNERS: Readonly<Record<string, Scanner>> = {
  indicator: scanner(`SELECT id, seq::float8 AS seq FROM indicators WHERE seq > $1 ORDER BY seq LIMIT $2`, 'seq', (r) => stixIds.indicator(String(r['id']))),
  sighting: scanner(
    `SELECT id::float8 AS id, member, batch_id::text AS batch, indicator_id FROM sightings WHERE id > $1 ORDER BY id LIMIT $2`,
    'id',
    (r) => stixIds.sighting(String(r['member']), String(r['batch']), String(r['indicator_id'])),
  ),
  opinion: scanner(`SELECT id::float8 AS id, leaf_index::float8 AS leaf, indicator_id FROM opinions WHERE id > $1 ORDER BY id LIMIT $2`, 'id', (r) => stixIds.opinion(Number(r['leaf']))),
  identity: scanner(`SELECT slug, 0 AS k FROM members WHERE $1::int IS NOT NULL ORDER BY slug LIMIT $2`, 'k', (r) => stixIds.member(String(r['slug']))),
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
  const beforeLog = (await leafTimes(db, [BEFORE_LOG])).get(BEFORE_LOG)!;
  const found: FeedEntry[] = staticObjects(q.collection.tlp, q.origin).flatMap((object, key) =>
    wanted.has(object.id) ? [{ object, position: { leaf: BEFORE_LOG, ord: ORD.static, key }, dateAdded: beforeLog }] : [],
  );
  for (const [type, scan] of Object.entries(SCANNERS)) {
    const ofType = new Set([...wanted].filter((id) => id.startsWith(`${type}--`)));
    if (ofType.size === 0) continue;
    for (const [id, r] of await lookUp(db, scan, ofType)) {
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
