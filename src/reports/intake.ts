/**
 * Filing a public report, as named steps: parse → proof of work → caps → lineage → duplicate
 * listing → photos hashed → duplicate image → score → store. One report at a time (a semaphore),
 * so the caps and duplicate checks see every report before it; a refusal changes nothing but the
 * count of refusals by code.
 */
import { createHash } from 'node:crypto';
import { createSemaphore } from '../kernel/index.js';
import { HashingError, pdqDistance } from '../hashing/index.js';
import type { EntityManager } from 'typeorm';
import { canonicalListing } from './canonical.js';
import type { ReportDeps, ReportLimits } from './deps.js';
import { ReportError, type ReportErrorCode } from './errors.js';
import type { ReportPow } from './pow.js';
import { parseReportRequest, RECEIPT_PATTERN, type ReportRequest } from './report-request.js';
import { scoreReport, type ReportScore } from './score.js';

type Queryable = Pick<EntityManager, 'query'>;

/** PDQ distance under which two photos are one picture (PDQ's usual match threshold). */
export const DUPLICATE_DISTANCE = 31;
const OPEN = `state IN ('pending', 'more-info')`;

export interface ReportFiled {
  readonly receipt: string;
  readonly state: 'received';
}

export interface ReportIntake {
  file(body: unknown): Promise<ReportFiled>;
}

export function createReportIntake(deps: ReportDeps, limits: ReportLimits, pow: ReportPow): ReportIntake {
  const one = createSemaphore(1);
  return {
    async file(body) {
      const request = parseReportRequest(body, limits.maxPhotoBytes);
      await pow.verify(request.altcha);
      return one.run(() => store(deps, limits, request));
    },
  };
}

async function store(deps: ReportDeps, limits: ReportLimits, request: ReportRequest): Promise<ReportFiled> {
  const db = deps.db;
  await assertRoom(db, limits, request);
  const lineage = request.previousReceipt === undefined ? undefined : await lineageOf(db, request.previousReceipt);
  const listing = canonicalListing(request.listing);
  await assertNewListing(db, listing, lineage?.lineage);
  const photos = await hashPhotos(deps, request.photos);
  await assertNewPhotos(db, photos.map((p) => p.pdq), lineage?.lineage);
  const score = await scoreOf(deps, request, listing, photos, lineage?.lineage);
  const reportId = deps.random.uuid();
  const receipt = newReceipt(deps.random.bytes(13));
  const contact = request.contact === undefined ? undefined : deps.seal(`report:${reportId}`, request.contact);
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO report_reports (report_id, receipt_hash, lineage, previous_id, state, listing, commodity, description, contact_nonce, contact_ciphertext, score, score_parts, photo_bytes, filed_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [reportId, receiptHash(receipt), lineage?.lineage ?? reportId, lineage?.reportId ?? null, listing, request.commodity, request.description, contact === undefined ? null : Buffer.from(contact.nonce), contact === undefined ? null : Buffer.from(contact.ciphertext), score.total, JSON.stringify(score.parts), request.photos.reduce((n, p) => n + p.length, 0), deps.clock.now()],
    );
    for (const [position, photo] of photos.entries()) {
      await tx.query(`INSERT INTO report_photos (report_id, position, pdq, quality, bytes) VALUES ($1, $2, $3, $4, $5)`, [reportId, position, photo.pdq, photo.quality, Buffer.from(photo.bytes)]);
    }
  });
  return { receipt, state: 'received' };
}

async function assertRoom(db: Queryable, limits: ReportLimits, request: ReportRequest): Promise<void> {
  const [row]: Array<{ open: string | number; bytes: string | number | null }> = await db.query(
    `SELECT count(*) FILTER (WHERE ${OPEN}) AS open, sum(photo_bytes) FILTER (WHERE purged_at IS NULL) AS bytes FROM report_reports`,
  );
  if (Number(row?.open ?? 0) >= limits.maxOpen) throw new ReportError('QUEUE_FULL', 'the review queue is full: try again later');
  const adding = request.photos.reduce((n, p) => n + p.length, 0);
  if (Number(row?.bytes ?? 0) + adding > limits.maxStoredBytes) throw new ReportError('STORAGE_FULL', 'the node keeps no more report photos now: try again later, or send the report without photos');
}

async function lineageOf(db: Queryable, receipt: string): Promise<{ reportId: string; lineage: string }> {
  const rows: Array<{ report_id: string; lineage: string }> = await db.query(`SELECT report_id, lineage FROM report_reports WHERE receipt_hash = $1`, [receiptHash(receipt)]);
  const row = rows[0];
  if (row === undefined) throw new ReportError('UNKNOWN_PREVIOUS_RECEIPT', 'previousReceipt names no report of this node', { details: { field: 'previousReceipt' } });
  return { reportId: row.report_id, lineage: row.lineage };
}

/** A follow-up in the same receipt chain may name the listing again; anyone else waits for the open report's decision. */
async function assertNewListing(db: Queryable, listing: string, lineage: string | undefined): Promise<void> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM report_reports WHERE listing = $1 AND ${OPEN} AND lineage IS DISTINCT FROM $2 LIMIT 1`, [listing, lineage ?? null]);
  if (rows.length > 0) throw new ReportError('DUPLICATE_LISTING', 'this listing was reported already and waits for review', { details: { field: 'listing' } });
}

interface HashedPhoto {
  readonly bytes: Uint8Array;
  readonly pdq: string;
  readonly quality: number;
}

async function hashPhotos(deps: ReportDeps, photos: readonly Uint8Array[]): Promise<HashedPhoto[]> {
  const hashed: HashedPhoto[] = [];
  for (const [i, bytes] of photos.entries()) {
    let hash: { pdq: string; quality: number };
    try {
      hash = await deps.hashPhoto(bytes);
    } catch (cause) {
      if (!(cause instanceof HashingError)) throw cause;
      throw new ReportError('INVALID_PHOTO', `photos.${i} ${cause.code === 'IMAGE_TOO_LARGE' ? 'has more pixels than the node hashes' : 'is not an image the node can read'}`, { cause, details: { field: `photos.${i}`, reason: cause.code } });
    }
    if (hash.quality < deps.minPdqQuality) throw new ReportError('INVALID_PHOTO', `photos.${i} is too flat or small to compare (PDQ quality ${hash.quality})`, { details: { field: `photos.${i}`, reason: 'LOW_QUALITY' } });
    hashed.push({ bytes, ...hash });
  }
  return hashed;
}

async function assertNewPhotos(db: Queryable, hashes: readonly string[], lineage: string | undefined): Promise<void> {
  if (hashes.length === 0) return;
  // The open queue is capped (REPORTS_MAX_OPEN × 4 photos): a scan of it is bounded.
  const rows: Array<{ pdq: string }> = await db.query(
    `SELECT p.pdq FROM report_photos p JOIN report_reports r USING (report_id) WHERE r.${OPEN} AND r.lineage IS DISTINCT FROM $1`,
    [lineage ?? null],
  );
  for (const [i, hash] of hashes.entries()) {
    if (rows.some((r) => pdqDistance(r.pdq, hash) <= DUPLICATE_DISTANCE)) {
      throw new ReportError('DUPLICATE_IMAGE', `photos.${i} shows a picture reported already that waits for review`, { details: { field: `photos.${i}` } });
    }
  }
}

async function scoreOf(deps: ReportDeps, request: ReportRequest, listing: string, photos: readonly HashedPhoto[], lineage: string | undefined): Promise<ReportScore> {
  const matches = await deps.matchFederation({ text: request.description, pdqHashes: photos.map((p) => p.pdq) });
  const distances = matches.images.map((m) => m.distance);
  const [history]: Array<Record<string, string | number>> = await deps.db.query(
    `SELECT count(*) FILTER (WHERE listing = $1 AND state = 'confirmed') AS lc, count(*) FILTER (WHERE listing = $1 AND state = 'rejected') AS lr,
            count(*) FILTER (WHERE lineage = $2 AND state = 'confirmed') AS rc, count(*) FILTER (WHERE lineage = $2 AND state = 'rejected') AS rr
     FROM report_reports WHERE listing = $1 OR lineage = $2`,
    [listing, lineage ?? null],
  );
  const n = (k: string): number => Number(history?.[k] ?? 0);
  const model = deps.modelScore === undefined ? undefined : await deps.modelScore(request.description);
  return scoreReport({
    keywordHits: matches.keywords.length,
    suppressedKeywordHits: matches.suppressed.length,
    closestImageDistance: distances.length === 0 ? undefined : Math.min(...distances),
    listingKnownToNode: await deps.listingKnown(listing),
    listingConfirmed: n('lc'),
    listingRejected: n('lr'),
    reporterConfirmed: n('rc'),
    reporterRejected: n('rr'),
    ...(model === undefined ? {} : { modelScore: model.score, modelTerms: model.terms }),
  });
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 100 random bits as R-XXXXX-XXXXX-XXXXX-XXXXX (Crockford base32: no I, L, O, U). */
function newReceipt(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  const chars: string[] = [];
  for (let i = 0; i < 20; i++) chars.push(CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)]!);
  return `R-${[0, 5, 10, 15].map((s) => chars.slice(s, s + 5).join('')).join('-')}`;
}

/** Only the hash is stored: the database alone does not let anyone read a reporter's status. */
export function receiptHash(receipt: string): string {
  return createHash('sha256').update(`wildintel report receipt v1 ${receipt}`).digest('base64url');
}

export type ReporterState = 'received' | 'in-review' | 'more-info' | 'confirmed' | 'rejected';

export interface ReportStatusView {
  readonly state: ReporterState;
  readonly filedAt: string;
  readonly decidedAt: string | null;
  /** What a reviewer asked for (state more-info): file a follow-up with previousReceipt. */
  readonly request?: string;
}

export async function reportStatus(db: Queryable, receipt: string): Promise<ReportStatusView> {
  if (!RECEIPT_PATTERN.test(receipt)) throw new ReportError('UNKNOWN_RECEIPT', 'a receipt code looks like R-ABCDE-FGHJK-MNPQR-STVWX', { details: { field: 'receipt' } });
  const rows: Array<{ report_id: string; state: 'pending' | 'more-info' | 'confirmed' | 'rejected'; filed_at: Date; decided_at: Date | null; decisions: string | number; note: string | null }> = await db.query(
    `SELECT r.report_id, r.state, r.filed_at, r.decided_at, (SELECT count(*) FROM report_decisions d WHERE d.report_id = r.report_id) AS decisions,
            (SELECT d.note FROM report_decisions d WHERE d.report_id = r.report_id AND d.decision = 'more-info' ORDER BY d.decided_at DESC LIMIT 1) AS note
     FROM report_reports r WHERE r.receipt_hash = $1`,
    [receiptHash(receipt)],
  );
  const row = rows[0];
  if (row === undefined) throw new ReportError('UNKNOWN_RECEIPT', 'no report of this node has that receipt code', { details: { field: 'receipt' } });
  const state: ReporterState = row.state === 'pending' ? (Number(row.decisions) > 0 ? 'in-review' : 'received') : row.state;
  return {
    state,
    filedAt: new Date(row.filed_at).toISOString(),
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
    ...(state === 'more-info' && row.note !== null ? { request: row.note } : {}),
  };
}

/** Counts a refusal by its code (day buckets; nothing else of the refused report is kept). */
export async function countRefusal(db: Queryable, code: ReportErrorCode | 'REPORT_TOO_LARGE' | 'INVALID_REPORT', now: Date): Promise<void> {
  await db.query(`INSERT INTO report_refusals (day, code, count) VALUES ($1::date, $2, 1) ON CONFLICT (day, code) DO UPDATE SET count = report_refusals.count + 1`, [now.toISOString().slice(0, 10), code]);
}
