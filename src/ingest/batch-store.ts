import type { EntityManager } from 'typeorm';
import { updateReturning } from '../db/index.js';
import type { PublishedIndicator, Tlp } from '../indicators/index.js';

export interface BatchToStore {
  member: string;
  batchId: string;
  tlp: Tlp;
  createdAt: Date;
  jws: string;
  jwsSha256: string;
  indicators: readonly PublishedIndicator[];
  /** `indicatorId` of each indicator, in the same order (computed once, during validation). */
  indicatorIds: readonly string[];
  retractions: ReadonlyArray<{ indicatorId: string; reason?: string | undefined }>;
}

export interface StoredBatch {
  indicatorIds: string[];
  /** Indicators this batch was the first to report. */
  newIndicators: number;
  retracted: number;
}

/** Whether (member, batchId) is known, and with which bytes and receipt data. */
export async function findBatch(db: Pick<EntityManager, 'query'>, member: string, batchId: string): Promise<{ jwsSha256: string; leafIndex: number | null } | undefined> {
  const rows: Array<{ jws_sha256: string; leaf_index: string | number | null }> = await db.query(
    `SELECT jws_sha256, leaf_index FROM batches WHERE member = $1 AND batch_id = $2`,
    [member, batchId],
  );
  const row = rows[0];
  return row === undefined ? undefined : { jwsSha256: row.jws_sha256, leafIndex: row.leaf_index === null ? null : Number(row.leaf_index) };
}

/** Member's live sightings among `ids`, before this batch: what a retraction may withdraw. */
export async function liveSightingIds(db: Pick<EntityManager, 'query'>, member: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows: Array<{ indicator_id: string }> = await db.query(
    `SELECT DISTINCT indicator_id FROM sightings WHERE member = $1 AND indicator_id = ANY($2::text[]) AND retracted_at IS NULL`,
    [member, ids],
  );
  return new Set(rows.map((r) => r.indicator_id));
}

/**
 * Writes a verified, validated batch: the batch row (JWS verbatim), indicators
 * de-duplicated by id, one sighting per indicator, and the retractions. Runs
 * inside the caller's transaction; multi-row statements keep a batch of 10,000
 * to a handful of round trips.
 */
export async function storeBatch(tx: EntityManager, batch: BatchToStore): Promise<StoredBatch> {
  await tx.query(
    `INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [batch.member, batch.batchId, batch.tlp, batch.createdAt, batch.indicators.length, batch.jws, batch.jwsSha256],
  );
  const retracted = await applyRetractions(tx, batch);
  const ids = batch.indicatorIds;
  const newIndicators = await insertIndicators(tx, batch.indicators, ids);
  await insertSightings(tx, batch, ids);
  await insertListings(tx, batch, ids);
  return { indicatorIds: [...ids], newIndicators, retracted };
}

async function insertIndicators(tx: EntityManager, indicators: readonly PublishedIndicator[], ids: readonly string[]): Promise<number> {
  if (indicators.length === 0) return 0;
  // In id order: two batches sharing indicators then wait on each other's new rows in the same
  // order, instead of deadlocking when their payloads list them in different orders.
  // Counted in the database: returning every new id would send up to 10,000 rows back for one number.
  const rows: Array<{ n: number }> = await tx.query(
    `WITH inserted AS (
       INSERT INTO indicators (id, type, value, quality)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[]) AS t(id, type, value, quality) ORDER BY t.id
       ON CONFLICT (id) DO NOTHING RETURNING 1
     ) SELECT count(*)::int AS n FROM inserted`,
    [ids, indicators.map((i) => i.type), indicators.map((i) => i.value), indicators.map((i) => (i.type === 'IMAGE_PDQ' ? (i.quality ?? null) : null))],
  );
  return rows[0]?.n ?? 0;
}

async function insertSightings(tx: EntityManager, batch: BatchToStore, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const col = <T>(f: (i: PublishedIndicator) => T): T[] => batch.indicators.map(f);
  await tx.query(
    `INSERT INTO sightings (indicator_id, member, batch_id, tlp, observed_at, commodity, species, purpose, confidence, expires_at, context, original_text)
     SELECT t.id, $1, $2, $3, t.observed_at, t.commodity, t.species, t.purpose, t.confidence, t.expires_at, t.context, t.original_text
     FROM unnest($4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::timestamptz[], $11::jsonb[], $12::text[])
       AS t(id, observed_at, commodity, species, purpose, confidence, expires_at, context, original_text)`,
    [
      batch.member,
      batch.batchId,
      batch.tlp,
      ids,
      col((i) => i.observedAt),
      col((i) => i.commodity),
      col((i) => i.species ?? null),
      col((i) => i.purpose ?? null),
      col((i) => i.confidence),
      col((i) => i.expiresAt ?? null),
      col((i) => (i.context === undefined ? null : JSON.stringify(i.context))),
      col((i) => (i.type === 'KEYWORD' ? (i.original ?? null) : null)),
    ],
  );
}

/** Each sighting's listings (pseudonyms), what links are made of. */
async function insertListings(tx: EntityManager, batch: BatchToStore, ids: readonly string[]): Promise<void> {
  const pairs = batch.indicators.flatMap((i, n) => (i.listings ?? []).map((listing) => [ids[n]!, listing] as const));
  if (pairs.length === 0) return;
  await tx.query(
    `INSERT INTO sighting_listings (sighting_id, member, listing)
     SELECT s.id, s.member, t.listing FROM unnest($3::text[], $4::text[]) AS t(indicator_id, listing)
     JOIN sightings s ON s.member = $1 AND s.batch_id = $2 AND s.indicator_id = t.indicator_id`,
    [batch.member, batch.batchId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
}

async function applyRetractions(tx: EntityManager, batch: BatchToStore): Promise<number> {
  if (batch.retractions.length === 0) return 0;
  const rows = await updateReturning<{ id: string }>(
    tx,
    // retracted_at is when the hub received the retraction (as batches.received_at), not the createdAt the member signed.
    `UPDATE sightings s SET retracted_at = now(), retracted_by = $2, retract_reason = r.reason
     FROM unnest($3::text[], $4::text[]) AS r(indicator_id, reason)
     WHERE s.member = $1 AND s.indicator_id = r.indicator_id AND s.retracted_at IS NULL AND s.batch_id <> $2
     RETURNING s.id`,
    [batch.member, batch.batchId, batch.retractions.map((r) => r.indicatorId), batch.retractions.map((r) => r.reason ?? null)],
  );
  return rows.length;
}
