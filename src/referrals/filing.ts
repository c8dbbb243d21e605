/**
 * Filing at the hub, as named steps: verify the member's record (signature, chain at the hub's
 * time) → it names the caller → the agency it names receives it (named, or covered by its
 * competence) → evidence is encrypted to that agency's key in force → store it with its `filed`
 * entry, at the hub's time, in one transaction. The same bytes again are answered as filed.
 */
import type { DataSource } from 'typeorm';
import { currentAgencyKeys, encryptionKeyOf } from '../disclosure/index.js';
import type { Clock } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { competentAgencies } from './competence.js';
import { ReferralError } from './errors.js';
import { assertEvidenceJwe } from './evidence.js';
import type { ReferralVerifier } from './member-referral.js';
import { referralRecordSha256, type ReferralPayload } from './records.js';

export interface FilingDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  readonly verifier: ReferralVerifier;
  readonly refreshRevocations: () => Promise<void>;
}

export interface FiledReferral {
  readonly referralId: string;
  readonly caseRef: string;
  readonly agency: string;
  readonly leafIndex: number;
  readonly duplicate: boolean;
  readonly payload: ReferralPayload;
}

async function assertReceives(deps: FilingDeps, payload: ReferralPayload): Promise<void> {
  const known: unknown[] = await deps.db.query(`SELECT 1 FROM agencies WHERE slug = $1`, [payload.agency]);
  if (known.length === 0) throw new ReferralError('NO_COMPETENT_AGENCY', `no agency ${payload.agency}`, { details: { field: 'referral.agency' } });
  if (payload.routing === 'COMPETENCE' && !(await competentAgencies(deps.db, payload.commodity, payload.place)).includes(payload.agency)) {
    throw new ReferralError('NO_COMPETENT_AGENCY', `agency ${payload.agency} has not registered competence for ${payload.commodity} in ${payload.place}: route by competence to those that have, or name it (routing NAMED)`, { details: { field: 'referral.agency' } });
  }
  if (payload.evidence === undefined) return;
  const keys = await currentAgencyKeys(deps.db, payload.agency);
  if (keys === undefined) throw new ReferralError('NO_AGENCY_KEY', `agency ${payload.agency} registered no encryption key: evidence cannot be encrypted to it`, { details: { field: 'referral.evidence' } });
  assertEvidenceJwe(payload.evidence, encryptionKeyOf(keys.keys).kid);
}

interface FiledRow {
  record: string;
  case_ref: string;
  agency: string;
  leaf_index: string | number;
}

/** The referral filed under this id already: the same bytes are answered as filed, other bytes refused. */
async function filedBefore(db: DataSource, payload: ReferralPayload, record: string): Promise<FiledReferral | undefined> {
  const rows: FiledRow[] = await db.query(
    `SELECT r.record, r.case_ref, r.agency, s.leaf_index FROM referrals r JOIN referral_steps s ON s.referral_id = r.referral_id AND s.step = 'filed' WHERE r.referral_id = $1`,
    [payload.referralId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.record !== record) throw new ReferralError('REFERRAL_REPLAYED', `referral ${payload.referralId} was filed already with other content: sign a new one (a new referralId)`, { details: { field: 'referral.referralId' } });
  return { referralId: payload.referralId, caseRef: row.case_ref, agency: row.agency, leafIndex: Number(row.leaf_index), duplicate: true, payload };
}

export async function fileReferral(deps: FilingDeps, member: string, record: string): Promise<FiledReferral> {
  const now = deps.clock.now();
  await deps.refreshRevocations();
  const payload = await deps.verifier.verify(record, now);
  if (payload.member !== member) throw new ReferralError('REFERRAL_MISMATCH', `the referral is signed by ${payload.member}, the request token is ${member}'s`, { details: { field: 'referral.member' } });
  const before = await filedBefore(deps.db, payload, record);
  if (before !== undefined) return before;
  await assertReceives(deps, payload);
  let leafIndex: number;
  try {
    leafIndex = await store(deps, member, payload, record, now);
  } catch (err) {
    // Filed concurrently under the same id: the first one stands, and this one is judged against it.
    const first = (err as { code?: unknown }).code === '23505' ? await filedBefore(deps.db, payload, record) : undefined;
    if (first === undefined) throw err;
    return first;
  }
  return { referralId: payload.referralId, caseRef: payload.caseRef, agency: payload.agency, leafIndex, duplicate: false, payload };
}

function store(deps: FilingDeps, member: string, payload: ReferralPayload, record: string, now: Date): Promise<number> {
  const sha = referralRecordSha256(record);
  return deps.db.transaction(async (tx) => {
    const { firstIndex } = await deps.log.append(tx, [{ kind: 'referral', step: 'filed', referralId: payload.referralId, agency: payload.agency, by: `member:${member}`, recordSha256: sha }]);
    await tx.query(
      `INSERT INTO referrals (referral_id, case_ref, member, agency, routing, urgency, commodity, place, record, state, filed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'filed', $10, $10)`,
      [payload.referralId, payload.caseRef, member, payload.agency, payload.routing, payload.urgency, payload.commodity, payload.place, record, now],
    );
    await tx.query(`INSERT INTO referral_steps (referral_id, step, by_party, record, record_sha256, leaf_index, created_at) VALUES ($1, 'filed', $2, $3, $4, $5, $6)`, [payload.referralId, `member:${member}`, record, sha, firstIndex, now]);
    return firstIndex;
  });
}
