import type { DataSource, EntityManager } from 'typeorm';
import { parseIndicator, InvalidIndicatorError, indicatorId, observedAtOutOfRange, type PublishedIndicator, type Tlp } from '../indicators/index.js';
import { IdentifierInValueError, screenIndicator } from '../identifiers/index.js';
import { keywordSpecificity } from '../guards/index.js';
import { vouchesFor } from '../pki/index.js';
import { storeOutcomes } from '../outcomes/index.js';
import { assertValidWhenReceived, isOutcomeRetraction, loggedItemCount, type BatchVerifier, type VerifiedBatch } from '../provenance/index.js';
import type { Clock } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { findBatch, liveSightingIds, storeBatch } from './batch-store.js';
import { IngestError } from './errors.js';
import type { Receipt } from './receipt.js';
import type { RevocationList } from './revocations.js';

export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const MAX_BATCH_INDICATORS = 10_000;

export interface IngestDeps {
  readonly db: DataSource;
  readonly verifier: BatchVerifier;
  readonly revocations: RevocationList;
  readonly log: TransparencyLog;
  /** The hub's time of receipt, at which the signing chain must be valid. */
  readonly clock: Clock;
  /**
   * After a batch carrying outcome records is committed, with the indicators they concern: the
   * hub judges their precision there (a HOLD quarantines). Not for a replay, which changes nothing.
   */
  readonly onOutcomes?: (indicatorIds: readonly string[]) => Promise<unknown>;
}

export interface IngestService {
  /**
   * Accepts one signed batch, a version 1 JWS or a version 2 SD-JWT with every disclosure:
   * verify → check enrolment → idempotency → valid at receipt → validate → store and log in one transaction →
   * receipt. A refused batch changes nothing.
   */
  accept(batch: string): Promise<Receipt>;
}

export function createIngestService(deps: IngestDeps): IngestService {
  return {
    async accept(batch) {
      assertSize(batch);
      await deps.revocations.refresh();
      const verified = await deps.verifier.verify(batch);
      assertIndicatorCount(verified);
      await assertEnrolled(deps.db, verified);
      const earlier = await originalReceipt(deps, verified);
      if (earlier !== undefined) return earlier;
      assertValidWhenReceived(verified.chain, deps.clock.now());
      const indicators = validateIndicators(verified.payload.indicators, Date.parse(verified.payload.createdAt));
      let receipt: Receipt;
      try {
        receipt = await deps.db.transaction((tx) => storeAndLog(tx, deps.log, verified, indicators));
      } catch (err) {
        // The same batch arriving twice at once: the loser of the primary-key race answers like a replay.
        if (isUniqueViolation(err)) {
          const replay = await originalReceipt(deps, verified);
          if (replay !== undefined) return replay;
        }
        throw err;
      }
      const judged = (verified.payload.outcomes ?? []).filter((o) => !isOutcomeRetraction(o)).map((o) => o.indicatorId);
      if (judged.length > 0 && deps.onOutcomes !== undefined) await deps.onOutcomes(judged);
      return receipt;
    },
  };
}

function assertSize(batch: string): void {
  const bytes = Buffer.byteLength(batch, 'utf8');
  if (bytes > MAX_BATCH_BYTES) {
    throw new IngestError('BATCH_TOO_LARGE', `the batch is ${bytes} bytes; the limit is ${MAX_BATCH_BYTES} (8 MiB): split it`, { details: { bytes, limit: MAX_BATCH_BYTES } });
  }
}

function assertIndicatorCount(verified: VerifiedBatch): void {
  const { indicators, retractions, outcomes } = verified.payload;
  const count = indicators.length + (retractions?.length ?? 0) + (outcomes?.length ?? 0);
  if (count > MAX_BATCH_INDICATORS) {
    throw new IngestError('BATCH_TOO_LARGE', `the batch has ${count} indicators, retractions and outcomes; the limit is ${MAX_BATCH_INDICATORS}: split it`, { details: { count, limit: MAX_BATCH_INDICATORS } });
  }
}

/** The member must be enrolled and active, and the signing certificate enrolled for it (so that revocation can reach it). */
async function assertEnrolled(db: DataSource, verified: VerifiedBatch): Promise<void> {
  const { member, leafFingerprintSha256 } = verified.chain;
  const rows: Array<{ status: string; cert_member: string | null }> = await db.query(
    `SELECT m.status, c.member AS cert_member FROM members m LEFT JOIN member_certificates c ON c.fingerprint = $2 AND c.member = m.slug WHERE m.slug = $1`,
    [member, leafFingerprintSha256],
  );
  const row = rows[0];
  if (row === undefined) throw new IngestError('UNKNOWN_MEMBER', `member ${member} is not enrolled on this hub`, { details: { member } });
  if (row.status !== 'active') throw new IngestError('UNKNOWN_MEMBER', `member ${member} is ${row.status}`, { details: { member, status: row.status } });
  if (row.cert_member === null) {
    throw new IngestError('UNKNOWN_MEMBER', `the certificate ${leafFingerprintSha256} is not enrolled for member ${member}: the hub operator runs wildintel member enroll`, {
      details: { member, certificate: leafFingerprintSha256 },
    });
  }
}

/** Same (member, batchId) and same bytes: the original receipt; other bytes: a conflict. */
async function originalReceipt(deps: IngestDeps, verified: VerifiedBatch): Promise<Receipt | undefined> {
  const { member, batchId } = verified.payload;
  const known = await findBatch(deps.db, member, batchId);
  if (known === undefined) return undefined;
  if (known.jwsSha256 !== verified.jwsSha256) {
    throw new IngestError('BATCH_ID_CONFLICT', `batch ${batchId} of ${member} was already accepted with different content; a batch id is used once`, { details: { batchId } });
  }
  const leafIndex = known.leafIndex ?? 0;
  const checkpoint = await deps.log.checkpointAt(deps.db, leafIndex + 1);
  if (checkpoint === undefined) throw new Error(`internal: no checkpoint of size ${leafIndex + 1}`);
  const indicatorIds = verified.payload.indicators.map((raw) => indicatorId((raw as { type: PublishedIndicator['type'] }).type, (raw as { value: string }).value));
  return { batchId, leafIndex, indicatorIds, checkpoint, duplicate: true };
}

/** Validated indicators of a batch with their ids, in payload order. */
interface ValidIndicators {
  readonly indicators: PublishedIndicator[];
  readonly ids: string[];
}

/**
 * Every indicator validated; a repeated indicator within one batch is refused (one sighting per
 * batch), and so is an observation dated outside its bounds against the batch's `createdAt`.
 */
function validateIndicators(raw: readonly unknown[], createdAtMs: number): ValidIndicators {
  const seen = new Map<string, number>();
  const ids: string[] = [];
  const indicators = raw.map((input, index) => {
    let indicator: PublishedIndicator;
    try {
      indicator = parseIndicator(input, index);
    } catch (err) {
      if (err instanceof InvalidIndicatorError) {
        throw new IngestError('INVALID_INDICATOR', `indicator ${index}: ${err.field} ${err.reason}`, { cause: err, details: err.details ?? {} });
      }
      throw err;
    }
    assertSpecific(indicator, index);
    // A publisher that skips the node must not put a phone number or a handle into the log either.
    const hit = screenIndicator(indicator);
    if (hit !== undefined) {
      const refused = new IdentifierInValueError(index, hit);
      throw new IngestError('IDENTIFIER_IN_VALUE', refused.message, { details: refused.details ?? {} });
    }
    const outOfRange = observedAtOutOfRange(indicator.observedAt, createdAtMs);
    if (outOfRange !== undefined) {
      throw new IngestError('OBSERVED_AT_OUT_OF_RANGE', `indicator ${index}: observedAt ${outOfRange}`, { details: { index, field: 'observedAt', reason: outOfRange } });
    }
    const id = indicatorId(indicator.type, indicator.value);
    const first = seen.get(id);
    if (first !== undefined) {
      throw new IngestError('INVALID_INDICATOR', `indicator ${index}: value repeats indicator ${first}`, { details: { index, field: 'value', reason: `duplicate of indicator ${first}` } });
    }
    seen.set(id, index);
    ids.push(id);
    return indicator;
  });
  return { indicators, ids };
}

/**
 * Defence in depth behind the node's own check: a publisher that signs batches itself (or a
 * careless member) cannot put an over-broad keyword on every platform. Retractions are not
 * checked, so a keyword accepted before the rule can still be withdrawn.
 */
function assertSpecific(indicator: PublishedIndicator, index: number): void {
  if (indicator.type !== 'KEYWORD') return;
  const specificity = keywordSpecificity(indicator.value);
  if (!specificity.broad) return;
  throw new IngestError('KEYWORD_TOO_BROAD', `indicator ${index}: the keyword ${specificity.reason}`, { details: { index, field: 'value', reason: specificity.rule } });
}

/** The NOTIFY channel on which each accepted batch's leaf index is announced at commit. */
export const BATCHES_CHANNEL = 'wildintel_batches';

async function storeAndLog(tx: EntityManager, log: TransparencyLog, verified: VerifiedBatch, { indicators, ids }: ValidIndicators): Promise<Receipt> {
  const { payload, jwsSha256 } = verified;
  const retractions = payload.retractions ?? [];
  await assertSignerVouches(tx, log, verified);
  await assertRetractable(tx, payload.member, retractions.map((r) => r.indicatorId));
  const stored = await storeBatch(tx, {
    member: payload.member,
    batchId: payload.batchId,
    tlp: payload.tlp as Tlp,
    createdAt: new Date(payload.createdAt),
    jws: verified.stored,
    jwsSha256,
    indicators,
    indicatorIds: ids,
    retractions,
  });
  await storeOutcomes(tx, { member: payload.member, batchId: payload.batchId, tlp: payload.tlp, outcomes: payload.outcomes ?? [] });
  const appended = await log.append(tx, [
    { kind: 'batch', member: payload.member, batchId: payload.batchId, tlp: payload.tlp, count: loggedItemCount(payload), jwsSha256 },
  ]);
  await tx.query(`UPDATE batches SET leaf_index = $3 WHERE member = $1 AND batch_id = $2`, [payload.member, payload.batchId, appended.firstIndex]);
  // Delivered at commit to every hub process listening (matching indexes, subscriptions).
  await tx.query(`SELECT pg_notify($1, $2)`, [BATCHES_CHANNEL, String(appended.firstIndex)]);
  return { batchId: payload.batchId, leafIndex: appended.firstIndex, indicatorIds: stored.indicatorIds, checkpoint: appended.checkpoint, duplicate: false };
}

/**
 * The revocation rule (src/pki/revocation-rule.ts) at receipt: the signing certificate must not
 * have been revoked before this batch is logged, whatever its createdAt says. The row lock (FOR
 * SHARE) makes a concurrent revocation wait for this batch, or this batch wait for it and see it.
 */
async function assertSignerVouches(tx: EntityManager, log: TransparencyLog, verified: VerifiedBatch): Promise<void> {
  const rows: Array<{ serial: string; revoked_at: Date | null; revoked_leaf_index: string | number | null; revocation_reason: string | null }> = await tx.query(
    `SELECT serial, revoked_at, revoked_leaf_index, revocation_reason FROM member_certificates WHERE fingerprint = $1 FOR SHARE`,
    [verified.chain.leafFingerprintSha256],
  );
  const row = rows[0];
  if (row === undefined) throw new IngestError('UNKNOWN_MEMBER', `the certificate ${verified.chain.leafFingerprintSha256} is not enrolled`);
  const revocation = row.revoked_leaf_index === null ? undefined : { index: Number(row.revoked_leaf_index), reason: row.revocation_reason ?? 'unspecified' };
  if (!vouchesFor(revocation, await log.size(tx))) {
    throw new IngestError('CERT_REVOKED', `the signing certificate ${row.serial} was revoked (${revocation!.reason}) at ${row.revoked_at!.toISOString()}, before this batch arrived: whatever its createdAt, it is refused`, {
      details: { serialHex: row.serial, reason: revocation!.reason, revokedAt: new Date(row.revoked_at!).toISOString(), revocationLeafIndex: revocation!.index },
    });
  }
}

async function assertRetractable(tx: EntityManager, member: string, ids: readonly string[]): Promise<void> {
  const live = await liveSightingIds(tx, member, ids);
  const unknown = ids.findIndex((id) => !live.has(id));
  if (unknown >= 0) {
    throw new IngestError('UNKNOWN_SIGHTING', `retraction ${unknown}: ${member} has no live sighting of indicator ${ids[unknown]} to retract`, {
      details: { index: unknown, indicatorId: ids[unknown] },
    });
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e.code === '23505' || e.driverError?.code === '23505';
}
