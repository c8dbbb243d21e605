import { outcomeFactsBy } from '../outcomes/index.js';
import type { DataSource } from 'typeorm';
import { maySee, type Grant } from '../auth/index.js';
import { loggedWarninglists } from '../guards/index.js';
import type { Commodity, IndicatorType, Tlp } from '../indicators/index.js';
import { encodeBase64, type TransparencyLog } from '../tlog/index.js';
import { batchKey, contentFor, retractedBy, storedBatch, BATCH_COLUMNS, type BatchContent, type BatchRow } from './batch-content.js';
import { IngestError } from './errors.js';

/**
 * design.md "Content behind the hashes": the batches, and the member feed, as far as the caller's
 * grant (src/auth/entitlement.ts) reaches. Authentication, the path's scope, the rate limit and
 * the access audit are the HTTP layer's (src/hub/read-routes.ts).
 */

export const MAX_FEED_ENTRIES = 500;
/** A feed page stops early once the content it carries passes this many bytes (at least one entry is served). */
export const MAX_FEED_CONTENT_BYTES = 8 * 1024 * 1024;

/** Items of a batch the caller may see when it may not see the whole: verbatim from the signed payload. */
export interface PartialBatch {
  indicators: readonly object[];
  retractions: readonly object[];
  outcomes: readonly object[];
  /** How many items (indicators, retractions and outcomes) are withheld. */
  withheld: number;
}

export interface FeedItem {
  index: number;
  /** base64 of the entry bytes, as at /log/entries. */
  entry: string;
  /** For version 1 batch entries the caller may read whole: the compact JWS as received. */
  jws?: string;
  /**
   * For version 2 batch entries the caller may read whole or in part: the SD-JWT with exactly the
   * disclosures it may see; its issuer-signed JWT is what the entry's jwsSha256 commits to.
   */
  sdJwt?: string;
  /** For version 1 batch entries the caller may read in part: the items it may see, unsigned; the entry (jwsSha256) and the page's checkpoint are their provenance. */
  partial?: PartialBatch;
  /** For opinion entries on an indicator the caller may see: the RFC 8785 record the entry hashes. */
  opinion?: string;
  /** For warninglist entries: the RFC 8785 JSON of the list, which the entry's listSha256 hashes. */
  warninglist?: string;
}

export interface FeedPage {
  items: FeedItem[];
  /** The last index served (after: next asks for the following page). */
  next: number;
  size: number;
  checkpoint: string;
}

/** A batch as one caller may see it, with what makes a partial view verifiable against the log. */
export interface BatchRead {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
  readonly content: Exclude<BatchContent, { kind: 'none' }>;
  readonly jwsSha256: string;
  readonly leafIndex: number;
  readonly logEntry: string;
  readonly treeSize: number;
  readonly inclusionProof: string[];
  readonly checkpoint: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MEMBER_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

interface Deps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
}

/** One batch; null when it does not exist or the caller may see nothing of it (the two look the same). */
export async function readBatch(deps: Deps, grant: Grant, member: string, batchId: string): Promise<BatchRead | null> {
  if (!MEMBER_SLUG.test(member)) throw new IngestError('INVALID_BATCH_REF', 'the member must be a member slug', { details: { field: 'member' } });
  if (!UUID.test(batchId)) throw new IngestError('INVALID_BATCH_REF', 'the batch id must be a lower-case UUID', { details: { field: 'batchId' } });
  const rows: BatchRow[] = await deps.db.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE member = $1 AND batch_id = $2 AND leaf_index IS NOT NULL`, [member, batchId]);
  if (rows[0] === undefined) return null;
  const batch = storedBatch(rows[0]);
  const outcomes = (await outcomeFactsBy(deps.db, [batch])).get(batchKey(batch)) ?? new Map();
  const content = contentFor(grant, batch, (await retractedBy(deps.db, [batch])).get(batchKey(batch)) ?? [], outcomes);
  if (content.kind === 'none') return null;
  const { size, note } = await deps.log.latestCheckpoint(deps.db);
  const [entry] = await deps.log.entries(deps.db, batch.leafIndex, batch.leafIndex + 1);
  const proof = await deps.log.inclusionProof(deps.db, batch.leafIndex, size);
  return {
    member,
    batchId,
    tlp: batch.tlp,
    content,
    jwsSha256: batch.jwsSha256,
    leafIndex: batch.leafIndex,
    logEntry: encodeBase64(entry!),
    treeSize: size,
    inclusionProof: proof.map(encodeBase64),
    checkpoint: note,
  };
}

/** The feed: log entries after `after` (exclusive; -1 for the start), with the content each commits to as far as the grant reaches. */
export async function readFeed(deps: Deps, grant: Grant, after: number): Promise<FeedPage> {
  // The checkpoint first: every entry served is then covered by it, whatever is appended meanwhile.
  const { size, note } = await deps.log.latestCheckpoint(deps.db);
  const start = after + 1;
  const end = Math.min(size, start + MAX_FEED_ENTRIES);
  const items = end > start ? await feedItems(deps, grant, start, end) : [];
  return { items, next: start + items.length - 1, size, checkpoint: note };
}

async function feedItems(deps: Deps, grant: Grant, start: number, end: number): Promise<FeedItem[]> {
  const entries = await deps.log.entries(deps.db, start, end);
  const rows: BatchRow[] = await deps.db.query(`SELECT ${BATCH_COLUMNS} FROM batches WHERE leaf_index >= $1 AND leaf_index < $2`, [start, end]);
  const batches = rows.map(storedBatch);
  const byIndex = new Map(batches.map((b) => [b.leafIndex, b]));
  const retracted = await retractedBy(deps.db, batches);
  const outcomes = await outcomeFactsBy(deps.db, batches);
  const opinions = await visibleOpinions(deps.db, grant, start, end);
  const warninglists = await loggedWarninglists(deps.db, start, end);
  const items: FeedItem[] = [];
  let bytes = 0;
  for (const [i, entry] of entries.entries()) {
    const index = start + i;
    const item: FeedItem = { index, entry: encodeBase64(entry) };
    const batch = byIndex.get(index);
    if (batch !== undefined) bytes += attach(item, contentFor(grant, batch, retracted.get(batchKey(batch)) ?? [], outcomes.get(batchKey(batch)) ?? new Map()));
    const opinion = opinions.get(index);
    if (opinion !== undefined) item.opinion = opinion;
    const warninglist = warninglists.get(index);
    if (warninglist !== undefined) bytes += (item.warninglist = warninglist).length;
    if (items.length > 0 && bytes > MAX_FEED_CONTENT_BYTES) break;
    items.push(item);
  }
  return items;
}

/** Puts a batch's content on its feed item; the bytes it adds. */
function attach(item: FeedItem, content: BatchContent): number {
  const signed = content.kind === 'none' ? undefined : content.signed;
  if (signed !== undefined) {
    Object.assign(item, signed);
    return 'jws' in signed ? signed.jws.length : signed.sdJwt.length;
  }
  if (content.kind === 'partial') {
    item.partial = { indicators: content.indicators, retractions: content.retractions, outcomes: content.outcomes, withheld: content.withheld };
    return JSON.stringify(item.partial).length;
  }
  return 0;
}

/**
 * Opinion records in [start, end) on indicators the grant may see: an indicator counts as visible
 * when one of its sightings is, so an opinion never discloses an indicator only higher TLPs carry.
 */
async function visibleOpinions(db: DataSource, grant: Grant, start: number, end: number): Promise<Map<number, string>> {
  const rows: Array<{ leaf_index: string | number; record: string; indicator_id: string }> = await db.query(
    `SELECT leaf_index, record, indicator_id FROM opinions WHERE leaf_index >= $1 AND leaf_index < $2`,
    [start, end],
  );
  if (rows.length === 0) return new Map();
  const sightings: Array<{ indicator_id: string; member: string; tlp: Tlp; commodity: Commodity; type: IndicatorType }> = await db.query(
    `SELECT DISTINCT s.indicator_id, s.member, s.tlp, s.commodity, i.type FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.indicator_id = ANY($1::text[])`,
    [rows.map((r) => r.indicator_id)],
  );
  const visible = new Set(sightings.filter((s) => maySee(grant, s)).map((s) => s.indicator_id));
  return new Map(rows.filter((r) => visible.has(r.indicator_id)).map((r) => [Number(r.leaf_index), r.record]));
}
