import { batchView, wholeWithoutItems, type BatchFacts, type BatchView, type Grant } from '../auth/index.js';
import type { Commodity, IndicatorType, Tlp } from '../indicators/index.js';
import type { JsonObject } from '../provenance/index.js';

/** A stored batch as the content paths read it. */
export interface StoredBatch {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
  readonly jws: string;
  readonly jwsSha256: string;
  readonly leafIndex: number;
}

/** The `batches` columns a {@link StoredBatch} is read from. */
export const BATCH_COLUMNS = 'member, batch_id::text, tlp, jws, jws_sha256, leaf_index';

export interface BatchRow {
  member: string;
  batch_id: string;
  tlp: Tlp;
  jws: string;
  jws_sha256: string;
  leaf_index: string | number;
}

export function storedBatch(row: BatchRow): StoredBatch {
  return { member: row.member, batchId: row.batch_id, tlp: row.tlp, jws: row.jws, jwsSha256: row.jws_sha256, leafIndex: Number(row.leaf_index) };
}

export interface RetractedSighting {
  readonly member: string;
  /** The retracting batch. */
  readonly batchId: string;
  readonly indicatorId: string;
  readonly type: IndicatorType;
  readonly commodity: Commodity;
  readonly tlp: Tlp;
}

/** What a reader gets of one batch: the JWS, or the items it may see (verbatim from the signed payload), or nothing. */
export type BatchContent =
  | { readonly kind: 'whole'; readonly jws: string }
  | { readonly kind: 'partial'; readonly indicators: readonly JsonObject[]; readonly retractions: readonly JsonObject[]; readonly withheld: number }
  | { readonly kind: 'none' };

interface SignedItems {
  readonly indicators: readonly JsonObject[];
  readonly retractions: readonly JsonObject[];
}

/** The payload of a stored JWS (verified at ingest, so only decoded here). */
function signedItems(jws: string): SignedItems {
  const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { indicators: JsonObject[]; retractions?: JsonObject[] };
  return { indicators: payload.indicators, retractions: payload.retractions ?? [] };
}

function factsOf(batch: StoredBatch, items: SignedItems, retracted: readonly RetractedSighting[]): BatchFacts {
  return {
    member: batch.member,
    tlp: batch.tlp,
    indicators: items.indicators.map((i) => ({ type: i['type'] as IndicatorType, commodity: i['commodity'] as Commodity })),
    retracted,
  };
}

/**
 * The entitlement decision (src/auth) applied to one stored batch: `retracted` are the sightings
 * this batch retracted. Items are decoded only when the grant cannot decide from the batch alone.
 */
export function contentFor(grant: Grant, batch: StoredBatch, retracted: readonly RetractedSighting[]): BatchContent {
  const quick = wholeWithoutItems(grant, { member: batch.member, tlp: batch.tlp, hasRetractions: retracted.length > 0 });
  if (quick === true) return { kind: 'whole', jws: batch.jws };
  if (quick === false) return { kind: 'none' };
  const items = signedItems(batch.jws);
  const view: BatchView = batchView(grant, factsOf(batch, items, retracted));
  if (view.kind === 'whole') return { kind: 'whole', jws: batch.jws };
  if (view.kind === 'none') return { kind: 'none' };
  const shown = new Set(view.retracted);
  const indicators = view.indicators.map((i) => items.indicators[i]!);
  const retractions = items.retractions.filter((r) => shown.has(String(r['indicatorId'])));
  return { kind: 'partial', indicators, retractions, withheld: items.indicators.length + items.retractions.length - indicators.length - retractions.length };
}

/** The sightings that these batches retracted, by batch, for {@link contentFor}. */
export async function retractedBy(db: { query(sql: string, params?: unknown[]): Promise<unknown> }, batches: ReadonlyArray<Pick<StoredBatch, 'member' | 'batchId'>>): Promise<Map<string, RetractedSighting[]>> {
  const byBatch = new Map<string, RetractedSighting[]>();
  if (batches.length === 0) return byBatch;
  const rows = (await db.query(
    `SELECT s.member, s.retracted_by::text AS "batchId", s.indicator_id AS "indicatorId", i.type, s.commodity, s.tlp
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id
     JOIN unnest($1::text[], $2::uuid[]) AS b(member, batch_id) ON s.member = b.member AND s.retracted_by = b.batch_id`,
    [batches.map((b) => b.member), batches.map((b) => b.batchId)],
  )) as RetractedSighting[];
  for (const r of rows) {
    const key = batchKey(r);
    byBatch.set(key, [...(byBatch.get(key) ?? []), r]);
  }
  return byBatch;
}

export function batchKey(b: Pick<StoredBatch, 'member' | 'batchId'>): string {
  return `${b.member}/${b.batchId}`;
}
