/**
 * A page of a TAXII collection: the log walked forward from a position, window by window, until
 * the page is full. See collection-window.ts for where each object sits.
 */
import type { Queryable, Visibility } from '../indicators/index.js';
import { collectionSlot, narrowTo, type CollectionRef } from './collections.js';
import { readWindow, kindsWithContent, withSightings, comparePositions, ORD, type ItemKind, type Position, type WindowItem } from './collection-window.js';
import { rows } from './feed-sql.js';
import type { FeedTime } from './feed-time.js';
import { datesFrom, touchedAt } from './date-added.js';
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
 * twice what the page still needs at first; after that, from what the page's windows so far gave
 * per unit of weight (a collection of one commodity gets about a tenth of its TLP's sightings),
 * what should give the rest with a quarter to spare, sixteen times more after windows that gave
 * nothing; between MIN_WEIGHT and MAX_WEIGHT. Each window costs round trips whatever its size, so
 * a page takes one or two of them, not a series growing by steps. The sizes decide only how the
 * log is cut into windows, never what a page holds. A non-empty page is cut short after
 * MAX_WINDOWS_PER_PAGE windows, so that one request never reads the whole log.
 */
const MIN_WEIGHT = 500;
const MAX_WEIGHT = 200_000;
const MAX_WINDOWS_PER_PAGE = 16;
/** Log entries read at once to cut windows from (a window spans at most this many). */
const ENTRIES_PER_READ = 2000;

function windowBudget(need: number, spent: number, got: number): number {
  const budget = spent === 0 ? 2 * need : got === 0 ? 16 * spent : Math.ceil((1.25 * need * spent) / got);
  return Math.min(Math.max(budget, MIN_WEIGHT), MAX_WEIGHT);
}

const KIND_TYPES: Readonly<Record<ItemKind, string>> = { identity: 'identity', indicator: 'indicator', sighting: 'sighting', opinion: 'opinion' };

interface LogWeight {
  readonly idx: number;
  readonly weight: number;
}

/**
 * Cuts the log into consecutive windows: `next(lo, budget)` is the log index `hi` such that
 * (lo, hi] holds about `budget` sightings of the TLP (at least one entry, at most the entries of
 * one read), and its weight; undefined at the end of the log. The entries' weights are read
 * ENTRIES_PER_READ at a time and kept for the page's next windows (one round trip, not one each).
 */
function windowCutter(db: Queryable, tlp: string) {
  let read: LogWeight[] = [];
  let readFrom: number | undefined;
  let complete = false;
  const load = async (lo: number): Promise<void> => {
    const found = await rows(
      db,
      `SELECT e.idx::float8 AS idx, (CASE WHEN b.tlp = $2 THEN b.indicator_count ELSE 0 END)::float8 AS n
       FROM tlog_entries e LEFT JOIN batches b ON b.leaf_index = e.idx WHERE e.idx > $1 ORDER BY e.idx LIMIT ${ENTRIES_PER_READ}`,
      [lo, tlp],
    );
    read = found.map((r) => ({ idx: Number(r['idx']), weight: Number(r['n']) + 1 }));
    readFrom = lo;
    complete = read.length < ENTRIES_PER_READ;
  };
  const cut = (from: readonly LogWeight[], budget: number): { hi: number; weight: number } | undefined => {
    let weight = 0;
    for (const e of from) {
      weight += e.weight;
      if (weight >= budget) return { hi: e.idx, weight };
    }
    return from.length === 0 ? undefined : { hi: from.at(-1)!.idx, weight };
  };
  return async (lo: number, budget: number): Promise<{ hi: number; weight: number } | undefined> => {
    if (readFrom !== undefined && lo >= readFrom) {
      const local = cut(read.filter((e) => e.idx > lo), budget);
      // What was read reaches the budget, or the end of the log: no need to read again.
      if (complete || (local !== undefined && local.weight >= budget)) return local;
    }
    await load(lo);
    return cut(read, budget);
  };
}

function staticItems(q: PageQuery, start: FeedTime | undefined): Array<{ position: Position; object: StixObject }> {
  return staticObjects(q.collection.tlp, q.origin, start)
    .map((object, key) => ({ position: { leaf: BEFORE_LOG, ord: ORD.static, key }, object }))
    .filter((s) => comparePositions(s.position, q.after) > 0 && (q.types === undefined || q.types.has(s.object.type)));
}

/** Reads one page: at most `limit` entries after `after`, in position order. */
export async function readCollectionPage(db: Queryable, q: PageQuery): Promise<FeedPage> {
  const vis = narrowTo(q.visibility, q.collection);
  const [kinds, start] = await Promise.all([kindsWithContent(db, new Set((Object.keys(KIND_TYPES) as ItemKind[]).filter((k) => q.types === undefined || q.types.has(KIND_TYPES[k])))), logStart(db)]);
  const staticCount = staticObjects(q.collection.tlp, q.origin, start).length;
  const fixed = staticItems(q, start).slice(0, q.limit + 1);
  const items: WindowItem[] = [];
  const nextWindow = windowCutter(db, q.collection.tlp);
  let lo = q.after.ord === ORD.afterLeaf ? Math.max(q.after.leaf, BEFORE_LOG) : q.after.leaf - 1;
  let cutAt: number | undefined;
  let spent = 0;
  for (let windows = 0; fixed.length + items.length <= q.limit && kinds.size > 0; windows++) {
    if (windows >= MAX_WINDOWS_PER_PAGE && fixed.length + items.length > 0) {
      cutAt = lo;
      break;
    }
    const need = q.limit + 1 - fixed.length - items.length;
    const window = await nextWindow(lo, windowBudget(need, spent, items.length));
    if (window === undefined) break;
    items.push(...(await readWindow(db, { vis, lo, hi: window.hi, after: q.after, limit: need, kinds })));
    spent += window.weight;
    lo = window.hi;
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

/**
 * The STIX objects of positioned items, with the times of every log index they mention, and each
 * one's date_added. The indicators' sightings and what the page's entries changed are read at the
 * same time (two queries, one round trip), then the times.
 */
async function materialize(db: Queryable, q: PageQuery, c: { vis: Visibility; staticCount: number }, positioned: readonly Pending[]): Promise<FeedEntry[]> {
  const [filled, touched] = await Promise.all([
    withSightings(db, c.vis, positioned.flatMap((p) => (p.item === undefined ? [] : [p.item]))),
    touchedAt(db, c.vis, positioned.map((p) => p.position), c.staticCount),
  ]);
  let next = 0;
  const pending = positioned.map((p) => (p.item === undefined ? p : { ...p, item: filled[next++]! }));
  const leaves = pending.flatMap((p) => [p.position.leaf, ...(p.item ? leavesOf(p.item) : [])]);
  const times = await leafTimes(db, leaves);
  const timeOf = (leaf: number): FeedTime => {
    const t = times.get(leaf);
    if (t === undefined) throw new Error(`internal: log index ${leaf} has no entry`);
    return t;
  };
  const ctx: StixContext = { tlp: q.collection.tlp, slot: collectionSlot(q.collection), origin: q.origin, timeOf };
  const added = datesFrom(touched, pending.map((p) => p.position), times);
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

