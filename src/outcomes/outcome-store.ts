import type { EntityManager } from 'typeorm';
import { outcomeFacts, type OutcomeFacts } from '../auth/index.js';
import { updateReturning } from '../db/index.js';
import type { Commodity, IndicatorType, Tlp } from '../indicators/index.js';
import { isOutcomeRetraction, type OutcomeItem, type OutcomeRecord, type OutcomeRetraction } from '../provenance/index.js';
import { OutcomeError } from './errors.js';

type Queryable = Pick<EntityManager, 'query'>;

export interface OutcomesToStore {
  readonly member: string;
  readonly batchId: string;
  readonly tlp: Tlp;
  readonly outcomes: readonly OutcomeItem[];
}

/**
 * Stores a verified batch's outcome items inside the ingest transaction, after its sightings and
 * retractions (an outcome may concern a sighting of the same batch): retractions mark their
 * outcome, outcomes are stored with the entitlement facts of the sightings they concern.
 * @throws OutcomeError `UNKNOWN_OUTCOME_SIGHTING` | `OUTCOME_ID_CONFLICT` | `UNKNOWN_OUTCOME` (nothing is kept: the caller's transaction rolls back)
 */
export async function storeOutcomes(tx: Queryable, batch: OutcomesToStore): Promise<void> {
  const indexed = batch.outcomes.map((item, index) => ({ item, index }));
  const retractions = indexed.filter((o): o is { item: OutcomeRetraction; index: number } => isOutcomeRetraction(o.item));
  const records = indexed.filter((o): o is { item: OutcomeRecord; index: number } => !isOutcomeRetraction(o.item));
  await applyOutcomeRetractions(tx, batch, retractions);
  await insertOutcomes(tx, batch, records);
}

async function insertOutcomes(tx: Queryable, batch: OutcomesToStore, records: ReadonlyArray<{ item: OutcomeRecord; index: number }>): Promise<void> {
  if (records.length === 0) return;
  await assertNewOutcomeIds(tx, batch.member, records);
  const concerns = await liveSightingsOf(tx, batch.member, records.map((r) => r.item.indicatorId));
  const facts = records.map(({ item, index }) => {
    const f = outcomeFacts(batch.member, batch.tlp, concerns.get(item.indicatorId) ?? []);
    if (f === undefined) {
      throw new OutcomeError('UNKNOWN_OUTCOME_SIGHTING', `outcomes[${index}]: ${batch.member} has no live sighting of indicator ${item.indicatorId} for an outcome to concern`, { details: { index, field: `outcomes[${index}].indicatorId`, indicatorId: item.indicatorId } });
    }
    return f;
  });
  const col = <T>(f: (r: OutcomeRecord, i: number) => T): T[] => records.map((r, i) => f(r.item, i));
  await tx.query(
    `INSERT INTO outcomes (member, batch_id, outcome_id, indicator_id, action, acted_at, type, tlp, commodities)
     SELECT $1, $2, t.outcome_id, t.indicator_id, t.action, t.acted_at, t.type, t.tlp, string_to_array(t.commodities, ',')
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[]) AS t(outcome_id, indicator_id, action, acted_at, type, tlp, commodities)`,
    [batch.member, batch.batchId, col((r) => r.outcomeId), col((r) => r.indicatorId), col((r) => r.action), col((r) => r.actedAt), facts.map((f) => f.type), facts.map((f) => f.tlp), facts.map((f) => f.commodities.join(','))],
  );
}

async function assertNewOutcomeIds(tx: Queryable, member: string, records: ReadonlyArray<{ item: OutcomeRecord; index: number }>): Promise<void> {
  const seen = new Set<string>();
  const repeated = records.find(({ item }) => seen.size === seen.add(item.outcomeId).size);
  const known: Array<{ outcome_id: string }> = await tx.query(`SELECT outcome_id::text FROM outcomes WHERE member = $1 AND outcome_id = ANY($2::uuid[])`, [member, [...seen]]);
  const used = repeated ?? records.find(({ item }) => known.some((k) => k.outcome_id === item.outcomeId));
  if (used !== undefined) {
    throw new OutcomeError('OUTCOME_ID_CONFLICT', `outcomes[${used.index}]: outcome ${used.item.outcomeId} of ${member} is already used; an outcome id is used once`, { details: { index: used.index, field: `outcomes[${used.index}].outcomeId` } });
  }
}

/** The member's live sightings of these indicators, with what entitlement needs of each. */
async function liveSightingsOf(tx: Queryable, member: string, ids: readonly string[]): Promise<Map<string, Array<{ tlp: Tlp; commodity: Commodity; type: IndicatorType }>>> {
  const rows: Array<{ indicator_id: string; tlp: Tlp; commodity: Commodity; type: IndicatorType }> = await tx.query(
    `SELECT s.indicator_id, s.tlp, s.commodity, i.type FROM sightings s JOIN indicators i ON i.id = s.indicator_id
     WHERE s.member = $1 AND s.indicator_id = ANY($2::text[]) AND s.retracted_at IS NULL`,
    [member, [...new Set(ids)]],
  );
  const byIndicator = new Map<string, Array<{ tlp: Tlp; commodity: Commodity; type: IndicatorType }>>();
  for (const r of rows) byIndicator.set(r.indicator_id, [...(byIndicator.get(r.indicator_id) ?? []), { tlp: r.tlp, commodity: r.commodity, type: r.type }]);
  return byIndicator;
}

async function applyOutcomeRetractions(tx: Queryable, batch: OutcomesToStore, retractions: ReadonlyArray<{ item: OutcomeRetraction; index: number }>): Promise<void> {
  if (retractions.length === 0) return;
  const rows = await updateReturning<{ outcome_id: string }>(
    tx,
    // retracted_at is when the hub received the retraction, as for sightings.
    `UPDATE outcomes o SET retracted_at = now(), retracted_by = $2, retract_reason = r.reason
     FROM unnest($3::uuid[], $4::text[], $5::text[]) AS r(outcome_id, indicator_id, reason)
     WHERE o.member = $1 AND o.outcome_id = r.outcome_id AND o.indicator_id = r.indicator_id AND o.retracted_at IS NULL AND o.batch_id <> $2
     RETURNING o.outcome_id::text`,
    [batch.member, batch.batchId, retractions.map((r) => r.item.outcomeId), retractions.map((r) => r.item.indicatorId), retractions.map((r) => r.item.reason)],
  );
  const done = new Set(rows.map((r) => r.outcome_id));
  const missing = retractions.find((r) => !done.has(r.item.outcomeId));
  if (missing !== undefined) {
    throw new OutcomeError('UNKNOWN_OUTCOME', `outcomes[${missing.index}]: ${batch.member} has no live outcome ${missing.item.outcomeId} about indicator ${missing.item.indicatorId} to retract`, { details: { index: missing.index, field: `outcomes[${missing.index}].outcomeId` } });
  }
}

/** `member/batchId`: the key ingest's batchKey makes, so that the content paths can look a batch up. */
const keyOf = (member: string, batchId: string): string => `${member}/${batchId}`;

/**
 * The entitlement facts of the outcomes each of these batches carries (as outcomes or as outcome
 * retractions), by batch key, then by outcome id: what ingest's `contentFor` decides outcome items by.
 */
export async function outcomeFactsBy(db: Queryable, batches: ReadonlyArray<{ member: string; batchId: string }>): Promise<Map<string, Map<string, OutcomeFacts>>> {
  const byBatch = new Map<string, Map<string, OutcomeFacts>>();
  if (batches.length === 0) return byBatch;
  const rows: Array<{ member: string; batch_id: string; outcome_id: string; type: IndicatorType; tlp: Tlp; commodities: Commodity[] }> = await db.query(
    `SELECT o.member, b.batch_id::text, o.outcome_id::text, o.type, o.tlp, o.commodities
     FROM unnest($1::text[], $2::uuid[]) AS b(member, batch_id)
     JOIN outcomes o ON o.member = b.member AND (o.batch_id = b.batch_id OR o.retracted_by = b.batch_id)`,
    [batches.map((b) => b.member), batches.map((b) => b.batchId)],
  );
  for (const r of rows) {
    const key = keyOf(r.member, r.batch_id);
    const facts = byBatch.get(key) ?? new Map<string, OutcomeFacts>();
    facts.set(r.outcome_id, { member: r.member, type: r.type, tlp: r.tlp, commodities: r.commodities });
    byBatch.set(key, facts);
  }
  return byBatch;
}
