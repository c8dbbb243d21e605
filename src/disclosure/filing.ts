/**
 * Filing a request at the hub, as named steps: the agency's keys in force → the request's
 * signature with them → its claims against the caller's token → freshness and id → the seller,
 * through the caller's own visibility → route to the members whose sightings the caller may see →
 * store the request, its `filed` and `routed` records and two `disclosure` entries, in one transaction.
 */
import type { DataSource } from 'typeorm';
import { indicatorId as idOf } from '../indicators/index.js';
import type { Clock } from '../kernel/index.js';
import { canonicalJson, parseRfc3339 } from '../provenance/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { currentAgencyKeys, type AgencyKeyRegistration } from './agency-key-store.js';
import { encryptionKeyOf } from './agency-keys.js';
import { DisclosureError } from './errors.js';
import { recordSha256, type DisclosureRequestPayload, type RoutedRecord } from './records.js';
import { verifyDisclosureRequest } from './request.js';

/** The analyst filing, as its token says. */
export interface Filer {
  readonly agency: string;
  readonly analyst: string;
  readonly tokenId: string;
}

/** The seller as the caller may see it (the hub's one visibility decision); null when invisible. */
export type SellerLookup = (indicatorId: string) => Promise<{ readonly type: string; readonly value: string; readonly members: readonly string[] } | null>;

export interface FilingDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  /** The longest a request stays open (DISCLOSURE_TTL_DAYS). */
  readonly ttlMs: number;
}

export interface FiledRequest {
  readonly requestId: string;
  readonly members: readonly string[];
  readonly expiresAt: Date;
  readonly filedLeafIndex: number;
  readonly duplicate: boolean;
}

/** A signed request may be filed within this long of being made, and not from the future. */
const FRESH_MS = 5 * 60_000;

function mismatch(field: string, message: string): DisclosureError {
  return new DisclosureError('REQUEST_MISMATCH', message, { details: { field } });
}

function assertClaims(payload: DisclosureRequestPayload, filer: Filer, keys: AgencyKeyRegistration, now: Date): void {
  if (payload.agency !== filer.agency) throw mismatch('agency', `the request names agency ${payload.agency}, the token ${filer.agency}`);
  if (payload.analyst !== filer.analyst) throw mismatch('analyst', "the request names another analyst than the token's sub");
  if (payload.tokenId !== filer.tokenId) throw mismatch('tokenId', 'the request is bound to another token (tokenId): sign it for the token that files it');
  if (payload.encryptionKid !== encryptionKeyOf(keys.keys).kid) throw mismatch('encryptionKid', "the request names an encryption key that is not the agency's registered one");
  const created = parseRfc3339(payload.createdAt)!.getTime();
  if (created > now.getTime() + FRESH_MS || created < now.getTime() - FRESH_MS) throw mismatch('createdAt', 'createdAt must be within 5 minutes of now: sign the request just before filing it');
}

function expiryOf(payload: DisclosureRequestPayload, now: Date, ttlMs: number): Date {
  const longest = now.getTime() + ttlMs;
  const asked = payload.expiresAt === undefined ? longest : parseRfc3339(payload.expiresAt)!.getTime();
  if (asked <= now.getTime()) throw new DisclosureError('INVALID_DISCLOSURE', 'expiresAt must be in the future', { details: { field: 'request.expiresAt' } });
  return new Date(Math.min(asked, longest));
}

async function existing(db: DataSource, requestId: string, jws: string): Promise<FiledRequest | undefined> {
  const rows: Array<{ request_jws: string; expires_at: Date; leaf_index: string | number }> = await db.query(
    `SELECT r.request_jws, r.expires_at, s.leaf_index FROM disclosure_requests r JOIN disclosure_steps s ON s.request_id = r.request_id AND s.step = 'filed' WHERE r.request_id = $1`,
    [requestId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.request_jws !== jws) throw new DisclosureError('DISCLOSURE_REPLAYED', `request ${requestId} was filed already with other content: sign a new request (a new requestId)`);
  const members: Array<{ member: string }> = await db.query(`SELECT member FROM disclosure_routes WHERE request_id = $1 ORDER BY member`, [requestId]);
  return { requestId, members: members.map((m) => m.member), expiresAt: new Date(row.expires_at), filedLeafIndex: Number(row.leaf_index), duplicate: true };
}

export async function fileRequest(deps: FilingDeps, requestJws: string, filer: Filer, lookup: SellerLookup): Promise<FiledRequest> {
  const keys = await currentAgencyKeys(deps.db, filer.agency);
  if (keys === undefined) throw new DisclosureError('NO_AGENCY_KEY', `agency ${filer.agency} has registered no disclosure keys (wildintel agency key ${filer.agency} --encryption-key FILE)`);
  const payload = await verifyDisclosureRequest(requestJws, keys.keys);
  const now = deps.clock.now();
  assertClaims(payload, filer, keys, now);
  const replay = await existing(deps.db, payload.requestId, requestJws);
  if (replay !== undefined) return replay;
  const indicatorId = 'fingerprint' in payload.target ? idOf('SELLER', payload.target.fingerprint) : payload.target.indicatorId;
  const seller = await lookup(indicatorId);
  if (seller === null) throw new DisclosureError('NOT_FOUND', 'no such seller, or none of its sightings is visible to this token (disclosure requests also need sellers:read)', { details: { indicatorId } });
  if (seller.type !== 'SELLER') throw new DisclosureError('NOT_A_SELLER', `indicator ${indicatorId} is a ${seller.type}: only a seller fingerprint names someone a member can look up`);
  const expiresAt = expiryOf(payload, now, deps.ttlMs);
  const requestSha256 = recordSha256(requestJws);
  const routed: RoutedRecord = { v: 1, step: 'routed', requestId: payload.requestId, requestSha256, indicatorId, fingerprint: seller.value, members: [...seller.members].sort(), expiresAt: expiresAt.toISOString(), at: now.toISOString() };
  const routedRecord = canonicalJson(routed);
  try {
    const filedLeafIndex = await storeFiled(deps, { payload, requestJws, requestSha256, routedRecord, routed, indicatorId, keys, filer, now, expiresAt });
    return { requestId: payload.requestId, members: routed.members, expiresAt, filedLeafIndex, duplicate: false };
  } catch (err) {
    // Filed concurrently under the same id: the first one stands, and this one is judged against it.
    const first = (err as { code?: unknown }).code === '23505' ? await existing(deps.db, payload.requestId, requestJws) : undefined;
    if (first === undefined) throw err;
    return first;
  }
}

interface ToStore {
  readonly payload: DisclosureRequestPayload;
  readonly requestJws: string;
  readonly requestSha256: string;
  readonly routedRecord: string;
  readonly routed: RoutedRecord;
  readonly indicatorId: string;
  readonly keys: AgencyKeyRegistration;
  readonly filer: Filer;
  readonly now: Date;
  readonly expiresAt: Date;
}

function storeFiled(deps: FilingDeps, s: ToStore): Promise<number> {
  const { payload, requestJws, requestSha256, routedRecord, routed, indicatorId, keys, filer, now, expiresAt } = s;
  return deps.db.transaction(async (tx) => {
    const { firstIndex } = await deps.log.append(tx, [
      { kind: 'disclosure', step: 'filed', requestId: payload.requestId, recordSha256: requestSha256 },
      { kind: 'disclosure', step: 'routed', requestId: payload.requestId, recordSha256: recordSha256(routedRecord) },
    ]);
    await tx.query(
      `INSERT INTO disclosure_requests (request_id, agency, analyst, token_id, case_id, indicator_id, agency_keys_id, request_jws, filed_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [payload.requestId, filer.agency, filer.analyst, filer.tokenId, payload.caseId, indicatorId, keys.id, requestJws, now, expiresAt],
    );
    await tx.query(
      `INSERT INTO disclosure_steps (request_id, step, member, record, record_sha256, leaf_index, created_at) VALUES ($1, 'filed', NULL, $2, $3, $4, $6), ($1, 'routed', NULL, $5, $7, $8, $6)`,
      [payload.requestId, requestJws, requestSha256, firstIndex, routedRecord, now, recordSha256(routedRecord), firstIndex + 1],
    );
    await tx.query(`INSERT INTO disclosure_routes (request_id, member, state) SELECT $1, m, 'routed' FROM unnest($2::text[]) AS m`, [payload.requestId, routed.members]);
    return firstIndex;
  });
}
