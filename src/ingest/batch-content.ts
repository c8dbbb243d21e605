import { batchView, wholeWithoutItems, type BatchFacts, type BatchView, type Grant } from '../auth/index.js';
import { indicatorId, type Commodity, type IndicatorType, type Tlp } from '../indicators/index.js';
import { isSdJwt, presentSdJwt, readStoredBatch, type JsonObject, type StoredBatchItems } from '../provenance/index.js';

/** A stored batch as the content paths read it. */
export interface StoredBatch {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
  /** The signed batch: a version 1 JWS as received, or a version 2 SD-JWT with every disclosure in payload order. */
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

/**
 * The signed form of a batch a reader gets: a version 1 JWS (it cannot be divided, so only ever
 * whole), or a version 2 SD-JWT carrying exactly the disclosures the reader may see.
 */
export type SignedBatch = { readonly jws: string } | { readonly sdJwt: string };

/**
 * What a reader gets of one batch: all of it signed; or the items it may see (verbatim from the
 * signed batch), signed too when the batch is version 2; or nothing.
 */
export type BatchContent =
  | { readonly kind: 'whole'; readonly signed: SignedBatch }
  | { readonly kind: 'partial'; readonly indicators: readonly JsonObject[]; readonly retractions: readonly JsonObject[]; readonly withheld: number; readonly signed?: { readonly sdJwt: string } }
  | { readonly kind: 'none' };

export interface ContentOptions {
  /**
   * Narrows a version 2 batch further, to the items about these indicators (an evidence package
   * holds its case's items only). A version 1 JWS cannot be narrowed: it stays as the grant sees it.
   */
  readonly onlyIndicators?: ReadonlySet<string>;
}

function factsOf(batch: StoredBatch, items: StoredBatchItems, retracted: readonly RetractedSighting[]): BatchFacts {
  return {
    member: batch.member,
    tlp: batch.tlp,
    indicators: items.indicators.map((i) => ({ type: i['type'] as IndicatorType, commodity: i['commodity'] as Commodity })),
    retracted,
  };
}

const whole = (stored: string): BatchContent => ({ kind: 'whole', signed: isSdJwt(stored) ? { sdJwt: stored } : { jws: stored } });

/**
 * The entitlement decision (src/auth) applied to one stored batch: `retracted` are the sightings
 * this batch retracted. Items are decoded only when the grant cannot decide from the batch alone.
 * For a version 2 batch the positions the decision picks are the disclosures served.
 */
export function contentFor(grant: Grant, batch: StoredBatch, retracted: readonly RetractedSighting[], options: ContentOptions = {}): BatchContent {
  const quick = options.onlyIndicators === undefined ? wholeWithoutItems(grant, { member: batch.member, tlp: batch.tlp, hasRetractions: retracted.length > 0 }) : undefined;
  if (quick === true) return whole(batch.jws);
  if (quick === false) return { kind: 'none' };
  const items = readStoredBatch(batch.jws);
  const view: BatchView = batchView(grant, factsOf(batch, items, retracted));
  if (view.kind === 'none') return { kind: 'none' };
  const all = view.kind === 'whole';
  const shownRetractions = all ? undefined : new Set(view.retracted);
  let indicators = all ? items.indicators.map((_, i) => i) : view.indicators;
  let retractions = items.retractions.flatMap((r, i) => (shownRetractions === undefined || shownRetractions.has(r.indicatorId) ? [i] : []));
  const only = items.format === 'sd-jwt' ? options.onlyIndicators : undefined;
  if (only !== undefined) {
    indicators = indicators.filter((i) => only.has(indicatorId(items.indicators[i]!['type'] as IndicatorType, String(items.indicators[i]!['value']))));
    retractions = retractions.filter((i) => only.has(items.retractions[i]!.indicatorId));
  }
  const withheld = items.indicators.length + items.retractions.length - indicators.length - retractions.length;
  if (withheld === 0) return whole(batch.jws);
  if (indicators.length + retractions.length === 0) return { kind: 'none' };
  const disclosures = items.disclosures === undefined ? undefined : [...indicators.map((i) => items.disclosures!.indicators[i]!), ...retractions.map((i) => items.disclosures!.retractions[i]!)];
  return {
    kind: 'partial',
    indicators: indicators.map((i) => items.indicators[i]!),
    retractions: retractions.map((i) => items.retractions[i]! as unknown as JsonObject),
    withheld,
    ...(disclosures === undefined ? {} : { signed: { sdJwt: presentSdJwt(items.jwt, disclosures) } }),
  };
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
