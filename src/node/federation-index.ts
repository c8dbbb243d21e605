/**
 * The node's local copy of the federation's KEYWORD and IMAGE_PDQ sightings (every member's,
 * as read from the feed), persisted in node_feed_indicators and held in memory in the matching
 * context's PdqIndex and KeywordAutomaton, keyed by indicator id. A listing is screened here,
 * on the platform's side: its text and image never leave the node.
 */
import type { EntityManager } from 'typeorm';
import { compileWarninglists, DEFAULT_WARNINGLISTS, parseWarninglist, type CompiledWarninglists, type SuppressedBy, type Warninglist } from '../guards/index.js';
import { KeywordAutomaton, PdqIndex, DEFAULT_PDQ_MAX_DISTANCE } from '../matching/index.js';
import type { Commodity, Tlp } from '../indicators/index.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface FeedSighting {
  readonly indicatorId: string;
  readonly member: string;
  readonly type: 'KEYWORD' | 'IMAGE_PDQ';
  readonly value: string;
  readonly quality?: number | undefined;
  readonly commodity: Commodity;
  readonly tlp: Tlp;
  readonly expiresAt?: string | undefined;
  readonly leafIndex: number;
}

export interface ScanHitDetails {
  readonly indicatorId: string;
  readonly members: readonly string[];
  readonly commodities: readonly Commodity[];
  /** The federation's aggregate of opinions on it, as the feed carried them. */
  readonly status: 'UNREVIEWED' | 'CONFIRMED' | 'DISPUTED' | 'FALSE_POSITIVE';
}

export interface KeywordScanHit extends ScanHitDetails {
  readonly keyword: string;
  /** UTF-16 offsets in the text as sent. */
  readonly start: number;
  readonly end: number;
}

export interface ImageScanHit extends ScanHitDetails {
  readonly hash: string;
  readonly distance: number;
  readonly quality: number | null;
}

/** A keyword hit a warninglist suppressed: reported, but not a match (src/guards/suppression.ts). */
export interface SuppressedScanHit extends KeywordScanHit {
  readonly suppressedBy: SuppressedBy;
}

export interface ScanResult {
  readonly keywords: readonly KeywordScanHit[];
  readonly images: readonly ImageScanHit[];
  readonly suppressed: readonly SuppressedScanHit[];
}

const QUARANTINED: SuppressedBy = { list: 'quarantine', version: 1, entry: 'FLOOD' };

export class FederationIndex {
  private readonly pdq = new PdqIndex();
  private readonly keywords = new KeywordAutomaton();
  private lists: Warninglist[] = [];
  private guards: CompiledWarninglists = compileWarninglists(DEFAULT_WARNINGLISTS);
  /** Indicators in flood quarantine: held back from matching (the hub's entries, and the node's own holds). */
  private readonly held = new Set<string>();

  /** Everything persisted, loaded once at start. */
  static async load(db: Queryable): Promise<FederationIndex> {
    const index = new FederationIndex();
    const lists: Array<{ list: unknown }> = await db.query(`SELECT list FROM node_feed_warninglists`);
    index.addWarninglists(lists.map((r) => parseWarninglist(r.list)));
    const held: Array<{ indicator_id: string }> = await db.query(`SELECT indicator_id FROM node_feed_quarantines WHERE action = 'hold'`);
    for (const r of held) index.held.add(r.indicator_id);
    const rows: Array<{ indicator_id: string; type: 'KEYWORD' | 'IMAGE_PDQ'; value: string }> = await db.query(
      `SELECT DISTINCT indicator_id, type, value FROM node_feed_indicators`,
    );
    index.pdq.bulkLoad(rows.filter((r) => r.type === 'IMAGE_PDQ').map((r) => [r.indicator_id, r.value] as const));
    index.keywords.addAll(rows.filter((r) => r.type === 'KEYWORD').map((r) => ({ id: r.indicator_id, keyword: r.value })));
    return index;
  }

  get size(): { keywords: number; images: number } {
    return { keywords: this.keywords.size, images: this.pdq.size };
  }

  add(sighting: Pick<FeedSighting, 'indicatorId' | 'type' | 'value'>): void {
    if (sighting.type === 'IMAGE_PDQ') {
      if (!this.pdq.has(sighting.indicatorId)) this.pdq.add(sighting.indicatorId, sighting.value);
    } else if (!this.keywords.has(sighting.indicatorId)) {
      this.keywords.add(sighting.indicatorId, sighting.value);
    }
  }

  /** Warninglists from the feed, checked against the log; each name's highest version applies. */
  addWarninglists(lists: readonly Warninglist[]): void {
    if (lists.length === 0) return;
    this.lists = [...this.lists, ...lists];
    this.guards = compileWarninglists([...DEFAULT_WARNINGLISTS, ...this.lists]);
  }

  /** Holds an indicator back from matching (true), or releases it (false). */
  setQuarantined(indicatorId: string, held: boolean): void {
    if (held) this.held.add(indicatorId);
    else this.held.delete(indicatorId);
  }

  isQuarantined(indicatorId: string): boolean {
    return this.held.has(indicatorId);
  }

  remove(indicatorId: string): void {
    this.pdq.remove(indicatorId);
    this.keywords.remove(indicatorId);
  }

  /**
   * Keyword hits in `text` and PDQ hits within `maxDistance` of any of `pdqHashes` (the eight
   * dihedral hashes of an image, so a rotated or mirrored copy matches), with the members whose
   * unexpired sightings back each one.
   */
  async scan(db: Queryable, query: { text?: string; pdqHashes?: readonly string[]; maxDistance?: number }, now: Date): Promise<ScanResult> {
    const textHits = query.text === undefined ? [] : this.keywords.match(query.text);
    const imageHits = new Map(this.pdq.searchAny(query.pdqHashes ?? [], query.maxDistance ?? DEFAULT_PDQ_MAX_DISTANCE).map((h) => [h.id, h.distance]));
    const details = await liveDetails(db, [...new Set([...textHits.map((h) => h.id), ...imageHits.keys()])], now);
    const suppressedBy = query.text === undefined ? [] : this.guards.suppress(query.text, textHits);
    const keywords: KeywordScanHit[] = [];
    const suppressed: SuppressedScanHit[] = [];
    textHits.forEach((h, i) => {
      const d = details.get(h.id);
      if (d === undefined) return;
      const hit = { ...d.details, keyword: h.keyword, start: h.start, end: h.end };
      const by = suppressedBy[i] ?? (this.held.has(h.id) ? QUARANTINED : undefined);
      if (by === undefined) keywords.push(hit);
      else suppressed.push({ ...hit, suppressedBy: by });
    });
    const images = [...imageHits]
      .flatMap(([id, distance]) => {
        const d = details.get(id);
        return d === undefined ? [] : [{ ...d.details, hash: d.value, distance, quality: d.quality }];
      })
      .sort((a, b) => a.distance - b.distance || a.indicatorId.localeCompare(b.indicatorId));
    return { keywords, images, suppressed };
  }
}

/** Members, commodities and value of each hit's unexpired sightings; hits with none are dropped. */
async function liveDetails(db: Queryable, ids: readonly string[], now: Date): Promise<Map<string, { details: ScanHitDetails; value: string; quality: number | null }>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{ indicator_id: string; value: string; quality: number | null; members: string[]; commodities: Commodity[]; status: ScanHitDetails['status'] }> = await db.query(
    `SELECT f.indicator_id, min(f.value) AS value, min(f.quality) AS quality, array_agg(DISTINCT f.member ORDER BY f.member) AS members,
            array_agg(DISTINCT f.commodity ORDER BY f.commodity) AS commodities,
            (SELECT CASE WHEN bool_or(o.verdict = 'CONFIRMED') AND bool_or(o.verdict = 'FALSE_POSITIVE') THEN 'DISPUTED'
                         WHEN bool_or(o.verdict = 'CONFIRMED') THEN 'CONFIRMED' WHEN bool_or(o.verdict = 'FALSE_POSITIVE') THEN 'FALSE_POSITIVE'
                         ELSE 'UNREVIEWED' END FROM node_feed_opinions o WHERE o.indicator_id = f.indicator_id) AS status
     FROM node_feed_indicators f WHERE f.indicator_id = ANY($1::text[]) AND (f.expires_at IS NULL OR f.expires_at > $2) GROUP BY f.indicator_id`,
    [ids, now],
  );
  return new Map(rows.map((r) => [r.indicator_id, { details: { indicatorId: r.indicator_id, members: r.members, commodities: r.commodities, status: r.status }, value: r.value, quality: r.quality === null ? null : Number(r.quality) }]));
}

/** Records verified opinions from the feed: each party's latest verdict per indicator counts. */
export async function storeFeedOpinions(tx: Queryable, opinions: ReadonlyArray<{ indicatorId: string; by: string; verdict: string; leafIndex: number }>): Promise<void> {
  for (const o of opinions) {
    await tx.query(
      `INSERT INTO node_feed_opinions (indicator_id, by_party, verdict, leaf_index) VALUES ($1, $2, $3, $4)
       ON CONFLICT (indicator_id, by_party) DO UPDATE SET verdict = EXCLUDED.verdict, leaf_index = EXCLUDED.leaf_index WHERE node_feed_opinions.leaf_index < EXCLUDED.leaf_index`,
      [o.indicatorId, o.by, o.verdict, o.leafIndex],
    );
  }
}

/** Applies one verified feed batch: its member's retractions first (they withdraw earlier sightings only), then its sightings. */
export async function storeFeedBatch(tx: Queryable, member: string, sightings: readonly FeedSighting[], retracted: readonly string[]): Promise<void> {
  if (retracted.length > 0) await tx.query(`DELETE FROM node_feed_indicators WHERE member = $1 AND indicator_id = ANY($2::text[])`, [member, retracted]);
  if (sightings.length === 0) return;
  const col = <T>(f: (s: FeedSighting) => T): T[] => sightings.map(f);
  await tx.query(
    `INSERT INTO node_feed_indicators (indicator_id, member, type, value, quality, commodity, tlp, expires_at, leaf_index)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::timestamptz[], $9::bigint[])
     ON CONFLICT (indicator_id, member) DO UPDATE SET commodity = EXCLUDED.commodity, tlp = EXCLUDED.tlp, expires_at = EXCLUDED.expires_at, leaf_index = EXCLUDED.leaf_index`,
    [
      col((s) => s.indicatorId),
      col((s) => s.member),
      col((s) => s.type),
      col((s) => s.value),
      col((s) => s.quality ?? null),
      col((s) => s.commodity),
      col((s) => s.tlp),
      col((s) => s.expiresAt ?? null),
      col((s) => s.leafIndex),
    ],
  );
}

/** Of `ids`, those no member's sighting backs any more (to drop from memory). */
export async function unbacked(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows: Array<{ indicator_id: string }> = await db.query(`SELECT DISTINCT indicator_id FROM node_feed_indicators WHERE indicator_id = ANY($1::text[])`, [ids]);
  const backed = new Set(rows.map((r) => r.indicator_id));
  return ids.filter((id) => !backed.has(id));
}
