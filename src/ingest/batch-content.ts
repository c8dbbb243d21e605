import { batchView, wholeWithoutItems, type BatchFacts, type BatchView, type Grant, type OutcomeFacts } from '../auth/index.js';
import { indicatorId, type Commodity, type IndicatorType, type Tlp } from '../indicators/index.js';
import { DISCLOSED_ARRAYS, isSdJwt, presentSdJwt, readStoredBatch, type DisclosedArray, type JsonObject, type StoredBatchItems } from '../provenance/index.js';

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
  | {
      readonly kind: 'partial';
      readonly indicators: readonly JsonObject[];
      readonly retractions: readonly JsonObject[];
      readonly outcomes: readonly JsonObject[];
      readonly withheld: number;
      readonly signed?: { readonly sdJwt: string };
    }
  | { readonly kind: 'none' };

export interface ContentOptions {
  /**
   * Narrows a version 2 batch further, to the items about these indicators (an evidence package
   * holds its case's items only). A version 1 JWS cannot be narrowed: it stays as the grant sees it.
   */
  readonly onlyIndicators?: ReadonlySet<string>;
}

/**
 * The entitlement facts of the outcomes one batch carries (outcomes and outcome retractions), by
 * outcome id, as the hub summarized them at ingest (src/outcomes `outcomeFactsBy`). An outcome item
 * missing here is never shown to a reader with a limited grant.
 */
export type BatchOutcomes = ReadonlyMap<string, OutcomeFacts>;

function factsOf(batch: StoredBatch, items: StoredBatchItems, retracted: readonly RetractedSighting[], outcomes: BatchOutcomes): BatchFacts {
  return {
    member: batch.member,
    tlp: batch.tlp,
    indicators: items.indicators.map((i) => ({ type: i['type'] as IndicatorType, commodity: i['commodity'] as Commodity })),
    retracted,
    outcomes: items.outcomes.map((o) => outcomes.get(o.outcomeId)),
  };
}

const whole = (stored: string): BatchContent => ({ kind: 'whole', signed: isSdJwt(stored) ? { sdJwt: stored } : { jws: stored } });

/**
 * The entitlement decision (src/auth) applied to one stored batch: `retracted` are the sightings
 * this batch retracted, `outcomes` the facts of the outcomes it carries. Items are decoded only when
 * the grant cannot decide from the batch alone. For a version 2 batch the positions the decision
 * picks are the disclosures served.
 */
export function contentFor(grant: Grant, batch: StoredBatch, retracted: readonly RetractedSighting[], outcomes: BatchOutcomes, options: ContentOptions = {}): BatchContent {
  const side = { member: batch.member, tlp: batch.tlp, hasRetractions: retracted.length > 0, hasOutcomes: outcomes.size > 0 };
  const quick = options.onlyIndicators === undefined ? wholeWithoutItems(grant, side) : undefined;
  if (quick === true) return whole(batch.jws);
  if (quick === false) return { kind: 'none' };
  const items = readStoredBatch(batch.jws);
  const view: BatchView = batchView(grant, factsOf(batch, items, retracted, outcomes));
  if (view.kind === 'none') return { kind: 'none' };
  const shown = shownPositions(view, items, options.onlyIndicators);
  const total = items.indicators.length + items.retractions.length + items.outcomes.length;
  const count = shown.indicators.length + shown.retractions.length + shown.outcomes.length;
  if (count === total) return whole(batch.jws);
  if (count === 0) return { kind: 'none' };
  const pick = <T>(list: readonly T[], at: readonly number[]): T[] => at.map((i) => list[i]!);
  const disclosures = items.disclosures === undefined ? undefined : DISCLOSED_ARRAYS.flatMap((array) => pick(items.disclosures![array], shown[array]));
  return {
    kind: 'partial',
    indicators: pick(items.indicators, shown.indicators),
    retractions: pick(items.retractions, shown.retractions) as unknown as JsonObject[],
    outcomes: pick(items.outcomes, shown.outcomes) as unknown as JsonObject[],
    withheld: total - count,
    ...(disclosures === undefined ? {} : { signed: { sdJwt: presentSdJwt(items.jwt, disclosures) } }),
  };
}

/** The positions of each item array the view shows, narrowed to `only`'s indicators for a version 2 batch. */
function shownPositions(view: Exclude<BatchView, { kind: 'none' }>, items: StoredBatchItems, onlyIndicators: ReadonlySet<string> | undefined): Record<DisclosedArray, number[]> {
  const all = (list: readonly unknown[]): number[] => list.map((_, i) => i);
  const shownRetractions = view.kind === 'whole' ? undefined : new Set(view.retracted);
  const shown = {
    indicators: view.kind === 'whole' ? all(items.indicators) : [...view.indicators],
    retractions: items.retractions.flatMap((r, i) => (shownRetractions === undefined || shownRetractions.has(r.indicatorId) ? [i] : [])),
    outcomes: view.kind === 'whole' ? all(items.outcomes) : [...view.outcomes],
  };
  const only = items.format === 'sd-jwt' ? onlyIndicators : undefined;
  if (only === undefined) return shown;
  const idOf = (i: JsonObject): string => indicatorId(i['type'] as IndicatorType, String(i['value']));
  return {
    indicators: shown.indicators.filter((i) => only.has(idOf(items.indicators[i]!))),
    retractions: shown.retractions.filter((i) => only.has(items.retractions[i]!.indicatorId)),
    outcomes: shown.outcomes.filter((i) => only.has(items.outcomes[i]!.indicatorId)),
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
