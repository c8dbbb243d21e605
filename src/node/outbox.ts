/**
 * The node's durable outbox, in its own database.
 *
 * Lifecycle of what a platform submits:
 *   pending (node_pending) → sealed: signed into a batch of one TLP (node_batches, state `queued`;
 *   an SD-JWT of version 2, each item disclosable on its own; batches sealed before the upgrade
 *   stay the version 1 JWS they were signed as, and are sent as they are)
 *   → `accepted` with the hub's receipt, or `refused` with the hub's final error, its items
 *   dead-lettered or back in pending (dead-letters.ts).
 *
 * Contracts the publisher relies on:
 * - a pending item is durable once `enqueue`'s transaction commits (before the API answers);
 * - sealing signs a batch and stores it in the same transaction that removes its items from
 *   pending, so a crash leaves either the items pending or the batch queued, never both;
 * - a queued batch's bytes never change: every try sends exactly the stored JWS, which the hub
 *   answers with the original receipt if it had already accepted it (nothing counted twice).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '../db/index.js';
import { MAX_ITEM_LISTINGS, TLPS, type PublishedIndicator, type Tlp } from '../indicators/index.js';
import { UnreachableCaseError, type Clock, type Random } from '../kernel/index.js';
import { signBatchSdJwt, type BatchSigner, type OutcomeItem, type Retraction } from '../provenance/index.js';

type Queryable = Pick<EntityManager, 'query'>;

/** Under the hub's 8 MiB per batch once base64url-encoded in the disclosures (× 4/3, plus salt and digest), with room for the chain. */
const MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;

export type PendingItem =
  | { readonly kind: 'indicator'; readonly tlp: Tlp; readonly id: string; readonly indicator: PublishedIndicator }
  | { readonly kind: 'retraction'; readonly tlp: Tlp; readonly id: string; readonly reason: string }
  /** An outcome or outcome retraction about indicator `id` (node/outcomes), at its sightings' TLP. */
  | { readonly kind: 'outcome'; readonly tlp: Tlp; readonly id: string; readonly item: OutcomeItem };

export interface BatchReceipt {
  readonly batchId: string;
  readonly leafIndex: number;
  readonly indicatorIds: readonly string[];
  readonly checkpoint: string;
  readonly duplicate: boolean;
}

export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface QueuedBatch {
  readonly seq: number;
  readonly batchId: string;
  readonly jws: string;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
}

export async function enqueue(tx: Queryable, items: readonly PendingItem[], receivedAt: Date): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO node_pending (tlp, indicator_id, retraction, outcome, body, received_at)
     SELECT t.tlp, t.id, t.retraction, t.outcome, t.body, $6 FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[], $5::jsonb[]) WITH ORDINALITY AS t(tlp, id, retraction, outcome, body, n) ORDER BY t.n`,
    [
      items.map((i) => i.tlp),
      items.map((i) => i.id),
      items.map((i) => i.kind === 'retraction'),
      items.map((i) => i.kind === 'outcome'),
      items.map((i) => JSON.stringify(pendingBody(i))),
      receivedAt,
    ],
  );
}

function pendingBody(item: PendingItem): object {
  switch (item.kind) {
    case 'indicator':
      return item.indicator;
    case 'retraction':
      return { indicatorId: item.id, reason: item.reason };
    case 'outcome':
      return item.item;
    default:
      throw new UnreachableCaseError(item);
  }
}

/** When the oldest pending item arrived, and how many wait; undefined when none does. */
export async function pendingSummary(db: Queryable): Promise<{ oldest: Date; count: number } | undefined> {
  const [row]: Array<{ oldest: Date | null; count: number | string }> = await db.query(`SELECT min(received_at) AS oldest, count(*) AS count FROM node_pending`);
  return row?.oldest == null ? undefined : { oldest: new Date(row.oldest), count: Number(row.count) };
}

export interface SealContext {
  readonly db: DataSource;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly maxItems: number;
  readonly clock: Clock;
  readonly random: Random;
}

/**
 * Signs one batch from the oldest pending items of the oldest item's TLP and queues it.
 * Returns its sequence number, or undefined when nothing is pending.
 */
export async function sealBatch(ctx: SealContext): Promise<number | undefined> {
  return ctx.db.transaction(async (tx) => {
    const rows = await oldestOfOneTlp(tx, ctx.maxItems);
    const first = rows[0];
    if (first === undefined) return undefined;
    const { indicators, retractions, outcomes, used } = toPayloadParts(rows);
    const batchId = ctx.random.uuid();
    const createdAt = ctx.clock.now();
    const jws = await signBatchSdJwt(
      { v: 2, batchId, member: ctx.member, createdAt: createdAt.toISOString(), tlp: first.tlp, indicators: indicators.map((i) => i.indicator), ...(retractions.length > 0 ? { retractions } : {}), ...(outcomes.length > 0 ? { outcomes } : {}) },
      ctx.signer,
      ctx.random,
    );
    const [inserted]: Array<{ seq: string | number }> = await tx.query(
      `INSERT INTO node_batches (batch_id, tlp, created_at, jws, indicator_count, retraction_count, outcome_count, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $3) RETURNING seq`,
      [batchId, first.tlp, createdAt, jws, indicators.length, retractions.length, outcomes.length],
    );
    const seq = Number(inserted!.seq);
    await recordSightings(tx, seq, first.tlp, indicators.map((i) => i.id), retractions.map((r) => r.indicatorId));
    await recordListings(tx, seq, indicators);
    await tx.query(`DELETE FROM node_pending WHERE seq = ANY($1::bigint[])`, [used]);
    return seq;
  });
}

interface PendingRow {
  seq: string | number;
  tlp: Tlp;
  indicator_id: string;
  retraction: boolean;
  outcome: boolean;
  body: PublishedIndicator | Retraction | OutcomeItem;
}

async function oldestOfOneTlp(tx: Queryable, limit: number): Promise<PendingRow[]> {
  return tx.query(
    `SELECT seq, tlp, indicator_id, retraction, outcome, body FROM node_pending
     WHERE tlp = (SELECT tlp FROM node_pending ORDER BY seq LIMIT 1) ORDER BY seq LIMIT $1`,
    [limit],
  );
}

/**
 * The hub refuses an indicator twice in one batch, so a repeat is folded into its first
 * occurrence (one sighting per batch, carrying the listings of every occurrence); the byte budget keeps the JWS under the hub's limit,
 * and what does not fit stays pending for the next batch.
 */
function toPayloadParts(rows: readonly PendingRow[]): { indicators: Array<{ id: string; indicator: PublishedIndicator }>; retractions: Retraction[]; outcomes: OutcomeItem[]; used: number[] } {
  const indicators = new Map<string, PublishedIndicator>();
  const retractions = new Map<string, Retraction>();
  const outcomes: OutcomeItem[] = [];
  const used: number[] = [];
  let bytes = 0;
  for (const row of rows) {
    bytes += JSON.stringify(row.body).length;
    if (bytes > MAX_PAYLOAD_BYTES && used.length > 0) break;
    if (row.outcome) outcomes.push(row.body as OutcomeItem);
    else if (row.retraction) {
      if (!retractions.has(row.indicator_id)) retractions.set(row.indicator_id, row.body as Retraction);
    } else {
      const folded = fold(indicators.get(row.indicator_id), row.body as PublishedIndicator);
      // Too many listings to fold into one item: it and all after it wait for the next batch, in order.
      if (folded === undefined) break;
      indicators.set(row.indicator_id, folded);
    }
    used.push(Number(row.seq));
  }
  return { indicators: [...indicators].map(([id, indicator]) => ({ id, indicator })), retractions: [...retractions.values()], outcomes, used };
}

/** A repeat keeps the first occurrence and adds its listings to it; undefined when they would not fit. */
function fold(first: PublishedIndicator | undefined, repeat: PublishedIndicator): PublishedIndicator | undefined {
  if (first === undefined) return repeat;
  if (repeat.listings === undefined) return first;
  const listings = [...new Set([...(first.listings ?? []), ...repeat.listings])].sort();
  return listings.length > MAX_ITEM_LISTINGS ? undefined : { ...first, listings };
}

/** What this member has published, and which earlier sightings a retraction withdraws (as the hub does: all before this batch). */
async function recordSightings(tx: Queryable, seq: number, tlp: Tlp, ids: readonly string[], retracted: readonly string[]): Promise<void> {
  if (retracted.length > 0) {
    await tx.query(`UPDATE node_sightings SET retracted_in = $1 WHERE indicator_id = ANY($2::text[]) AND retracted_in IS NULL AND batch_seq < $1`, [seq, retracted]);
  }
  if (ids.length > 0) {
    await tx.query(`INSERT INTO node_sightings (indicator_id, batch_seq, tlp) SELECT unnest($1::text[]), $2, $3`, [ids, seq, tlp]);
  }
}

/** Which listing (pseudonym) each published indicator was sighted in: what outcomes by listing look up. */
async function recordListings(tx: Queryable, seq: number, indicators: ReadonlyArray<{ id: string; indicator: PublishedIndicator }>): Promise<void> {
  const pairs = indicators.flatMap((i) => (i.indicator.listings ?? []).map((listing) => [listing, i.id] as const));
  if (pairs.length === 0) return;
  await tx.query(`INSERT INTO node_listing_sightings (listing, indicator_id, batch_seq) SELECT l, i, $3 FROM unnest($1::text[], $2::text[]) AS t(l, i) ON CONFLICT DO NOTHING`, [pairs.map((p) => p[0]), pairs.map((p) => p[1]), seq]);
}

/** The oldest queued batch: batches go out one at a time, in order, so a retraction never overtakes its sighting. */
export async function headOfQueue(db: Queryable): Promise<QueuedBatch | undefined> {
  const [row]: Array<{ seq: string | number; batch_id: string; jws: string; attempts: number; next_attempt_at: Date }> = await db.query(
    `SELECT seq, batch_id, jws, attempts, next_attempt_at FROM node_batches WHERE state = 'queued' ORDER BY seq LIMIT 1`,
  );
  return row === undefined ? undefined : { seq: Number(row.seq), batchId: row.batch_id, jws: row.jws, attempts: row.attempts, nextAttemptAt: new Date(row.next_attempt_at) };
}

export async function markAccepted(db: Queryable, seq: number, receipt: BatchReceipt, at: Date): Promise<void> {
  await db.query(
    `UPDATE node_batches SET state = 'accepted', receipt = $2::jsonb, leaf_index = $3, accepted_at = $4, attempts = attempts + 1, last_error = NULL WHERE seq = $1 AND state = 'queued'`,
    [seq, JSON.stringify(receipt), receipt.leafIndex, at],
  );
}

/** The same batch (same payload, same batch id) signed again, due now: after a key rotation, its old signature no longer vouches. */
export async function replaceSignature(db: Queryable, seq: number, jws: string, at: Date, reason: string): Promise<void> {
  await db.query(`UPDATE node_batches SET jws = $2, next_attempt_at = $3, attempts = attempts + 1, last_error = $4 WHERE seq = $1 AND state = 'queued'`, [seq, jws, at, reason]);
}

export async function markRetry(db: Queryable, seq: number, nextAttemptAt: Date, error: string): Promise<number> {
  const [row] = await updateReturning<{ attempts: number }>(
    db,
    `UPDATE node_batches SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE seq = $1 AND state = 'queued' RETURNING attempts`,
    [seq, nextAttemptAt, error],
  );
  return row?.attempts ?? 0;
}

export type RetractionOutcome = 'queued' | 'withdrawn' | 'already-retracted' | 'unknown';

/**
 * Withdraws this member's sightings of one indicator: still-pending copies are simply dropped
 * (they were never published); published ones get a retraction in the next batch, under the
 * least restricted TLP they were published with, so everyone who received a sighting receives
 * its retraction. Sightings in batches the hub refused do not count: it holds nothing to withdraw.
 */
export async function retractIndicator(tx: Queryable, id: string, reason: string, receivedAt: Date): Promise<RetractionOutcome> {
  const dropped = await updateReturning<{ seq: string }>(tx, `DELETE FROM node_pending WHERE indicator_id = $1 AND NOT retraction AND NOT outcome RETURNING seq`, [id]);
  const sightings: Array<{ tlp: Tlp; live: boolean }> = await tx.query(
    `SELECT s.tlp, (s.retracted_in IS NULL) AS live FROM node_sightings s JOIN node_batches b ON b.seq = s.batch_seq WHERE s.indicator_id = $1 AND b.state <> 'refused'`,
    [id],
  );
  const live = sightings.filter((s) => s.live).map((s) => s.tlp);
  if (live.length > 0) {
    const queued: unknown[] = await tx.query(`SELECT 1 FROM node_pending WHERE indicator_id = $1 AND retraction AND NOT outcome`, [id]);
    const tlp = TLPS.find((t) => live.includes(t))!;
    if (queued.length === 0) await enqueue(tx, [{ kind: 'retraction', tlp, id, reason }], receivedAt);
    return 'queued';
  }
  if (dropped.length > 0) return 'withdrawn';
  return sightings.length > 0 ? 'already-retracted' : 'unknown';
}
