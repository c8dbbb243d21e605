/**
 * A page of a TAXII collection: the log walked forward from a position, window by window, until
 * the page is full. See collection-window.ts for where each object sits.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { collectionSlot, narrowTo, type CollectionRef } from './collections.js';
import { readWindow, kindsWithContent, comparePositions, ORD, type ItemKind, type Position, type WindowItem } from './collection-window.js';
import { rows } from './feed-sql.js';
import type { FeedTime } from './feed-time.js';
import { datesAdded } from './date-added.js';
import { BEFORE_LOG, leafTimes, logStart } from './log-times.js';
import { staticObjects, stixIndicator, stixMemberIdentity, stixOpinion, stixSighting, type StixContext, type StixObject } from './stix.js';

export interface FeedEntry {
  readonly position: Position;
  readonly object: StixObject;
  /** When this version was added to the collection (TAXII date_added). */
  readonly dateAdded: FeedTime;
}

export interface FeedPage {
  readonly entries: FeedEntry[];
  /** More entries follow `next` (now; a later page may also find entries added since). */
  readonly more: boolean;
  readonly next: Position;
}

export interface PageQuery {
  /** The reader's visibility (the whole of it: the collection is intersected here). */
  readonly visibility: Visibility;
  readonly collection: CollectionRef;
  /** The hub's log origin (its STIX identity). */
  readonly origin: string;
  /** Only entries after this position. */
  readonly after: Position;
  readonly limit: number;
  /** STIX types asked for (match[type]); undefined for all. */
  readonly types?: ReadonlySet<string> | undefined;
}

/** The position before every entry of a collection. */
export const START: Position = { leaf: -2, ord: ORD.afterLeaf, key: 0 };

/**
 * Windows are sized in sightings of the collection's TLP (other batches weigh one entry each):
 * twice what the page still needs at first, four times more after a window that gave less than
 * half of it (a collection of a rare commodity), up to MAX_WEIGHT. A non-empty page is cut short
 * after MAX_WINDOWS_PER_PAGE windows, so that one request never reads the whole log.
 */
const MIN_WEIGHT = 500;
const MAX_WEIGHT = 200_000;
const MAX_WINDOWS_PER_PAGE = 16;

const KIND_TYPES: Readonly<Record<ItemKind, string>> = { identity: 'identity', indicator: 'indicator', sighting: 'sighting', opinion: 'opinion' };

/**
 * The next log index after `lo` such that (lo, hi] holds about `budget` sightings of the TLP (at
 * least one entry); undefined at the end of the log.
 */
async function nextWindow(db: Queryable, lo: number, tlp: string, budget: number): Promise<number | undefined> {
  const found = await rows(
    db,
    `SELECT e.idx::float8 AS idx, (CASE WHEN b.tlp = $2 THEN b.indicator_count ELSE 0 END)::float8 AS n
     FROM tlog_entries e LEFT JOIN batches b ON b.leaf_index = e.idx WHERE e.idx > $1 ORDER BY e.idx LIMIT 2000`,
    [lo, tlp],
  );
  let weight = 0;
  for (const r of found) {
    weight += Number(r['n']) + 1;
    if (weight >= budget) return Number(r['idx']);
  }
  return found.at(-1) === undefined ? undefined : Number(found.at(-1)!['idx']);
}

function staticItems(q: PageQuery, start: FeedTime | undefined): Array<{ position: Position; object: StixObject }> {
  return staticObjects(q.collection.tlp, q.origin, start)
    .map((object, key) => ({ position: { leaf: BEFORE_LOG, ord: ORD.static, key }, object }))
    .filter((s) => comparePositions(s.position, q.after) > 0 && (q.types === undefined || q.types.has(s.object.type)));
}

/** Reads one page: at most `limit` entries after `after`, in position order. */
export async function readCollectionPage(db: Queryable, q: PageQuery): Promise<FeedPage> {
  const vis = narrowTo(q.visibility, q.collection);
  const kinds = await kindsWithContent(db, new Set((Object.keys(KIND_TYPES) as ItemKind[]).filter((k) => q.types === undefined || q.types.has(KIND_TYPES[k]))));
  const start = await logStart(db);
  const staticCount = staticObjects(q.collection.tlp, q.origin, start).length;
  const fixed = staticItems(q, start).slice(0, q.limit + 1);
  const items: WindowItem[] = [];
  let lo = q.after.ord === ORD.afterLeaf ? Math.max(q.after.leaf, BEFORE_LOG) : q.after.leaf - 1;
  let cutAt: number | undefined;
  let grow = 1;
  for (let windows = 0; fixed.length + items.length <= q.limit && kinds.size > 0; windows++) {
    if (windows >= MAX_WINDOWS_PER_PAGE && fixed.length + items.length > 0) {
      cutAt = lo;
      break;
    }
    const need = q.limit + 1 - fixed.length - items.length;
    const hi = await nextWindow(db, lo, q.collection.tlp, Math.min(Math.max(2 * need, MIN_WEIGHT) * grow, MAX_WEIGHT));
    if (hi === undefined) break;
    const found = await readWindow(db, { vis, lo, hi, after: q.after, limit: need, kinds });
    items.push(...found);
    if (found.length < need / 2) grow *= 4;
    lo = hi;
  }
  const entries = await materialize(db, q, { vis, staticCount }, [...fixed.map((f) => ({ ...f, item: undefined })), ...items.map((item) => ({ position: item.position, item, object: undefined }))].slice(0, q.limit));
  const full = fixed.length + items.length > q.limit;
  const last = entries.at(-1)?.position ?? q.after;
  if (cutAt !== undefined && !full) return { entries, more: true, next: { leaf: cutAt, ord: ORD.afterLeaf, key: 0 } };
  return { entries, more: full, next: last };
}

type Pending = { position: Position; item: WindowItem | undefined; object: StixObject | undefined };

function leavesOf(item: WindowItem): number[] {
  switch (item.kind) {
    case 'identity':
      return [];
    case 'indicator':
      return [item.firstLeaf, ...item.sightings.flatMap((s) => [s.leafIndex, s.retractionLeaf ?? s.leafIndex])];
    case 'sighting':
      return [item.sighting.leafIndex, item.sighting.retractionLeaf ?? item.sighting.leafIndex];
    case 'opinion':
      return [item.opinion.leafIndex];
  }
}

/** The STIX objects of positioned items, with the times of every log index they mention, and each one's date_added. */
async function materialize(db: Queryable, q: PageQuery, c: { vis: Visibility; staticCount: number }, pending: readonly Pending[]): Promise<FeedEntry[]> {
  const leaves = pending.flatMap((p) => [p.position.leaf, ...(p.item ? leavesOf(p.item) : [])]);
  const times = await leafTimes(db, leaves);
  const timeOf = (leaf: number): FeedTime => {
    const t = times.get(leaf);
    if (t === undefined) throw new Error(`internal: log index ${leaf} has no entry`);
    return t;
  };
  const ctx: StixContext = { tlp: q.collection.tlp, slot: collectionSlot(q.collection), origin: q.origin, timeOf };
  const added = await datesAdded(db, c.vis, pending.map((p) => p.position), c.staticCount, times);
  return pending.map((p, i) => ({ position: p.position, dateAdded: added[i]!, object: p.object ?? toStix(p.item!, ctx) }));
}

function toStix(item: WindowItem, ctx: StixContext): StixObject {
  switch (item.kind) {
    case 'identity':
      return stixMemberIdentity(item.member);
    case 'indicator':
      return stixIndicator(item.indicator, item.sightings, item.firstLeaf, ctx);
    case 'sighting':
      return stixSighting(item.indicator, item.sighting, ctx);
    case 'opinion':
      return stixOpinion(item.opinion, ctx);
  }
}

