/**
 * An agency's steps on a referral routed to it, each an RFC 8785 record of the hub (who, which
 * token, when, the reason or result) committed to by a `referral` entry in the same transaction:
 *
 *   filed → acknowledged → accepted → closed
 *        ↘            ↘  declined
 *   (accept and decline may come straight after filed: they acknowledge it; close follows an
 *   acknowledgment or acceptance.)
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { ReferralError } from './errors.js';
import { agencyStepRecord, assertStepText, referralRecordSha256, type AgencyStepRecord, type ReferralResult, type ReferralStep } from './records.js';

export interface Actor {
  readonly agency: string;
  readonly analyst: string;
  readonly tokenId: string;
}

export type AgencyStep =
  | { readonly step: 'acknowledged' }
  | { readonly step: 'accepted' }
  | { readonly step: 'declined'; readonly reason: string }
  | { readonly step: 'closed'; readonly result: ReferralResult; readonly note?: string | null | undefined };

const FROM: Readonly<Record<AgencyStep['step'], readonly ReferralStep[]>> = {
  acknowledged: ['filed'],
  accepted: ['filed', 'acknowledged'],
  declined: ['filed', 'acknowledged'],
  closed: ['acknowledged', 'accepted'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** @throws ReferralError `NOT_FOUND` | `STEP_NOT_ALLOWED` | `INVALID_REFERRAL` */
export async function takeStep(deps: { db: DataSource; log: TransparencyLog; clock: Clock }, actor: Actor, referralId: string, input: AgencyStep): Promise<number> {
  const extra: Partial<AgencyStepRecord> =
    input.step === 'declined'
      ? { reason: assertStepText(input.reason, 'reason', 500, 'line') }
      : input.step === 'closed'
        ? { result: input.result, ...(input.note ? { note: assertStepText(input.note, 'note', 2000, 'multiline') } : {}) }
        : {};
  return deps.db.transaction(async (tx) => {
    const rows: Array<{ state: ReferralStep; acknowledged_at: Date | null }> = UUID.test(referralId)
      ? await tx.query(`SELECT state, acknowledged_at FROM referrals WHERE referral_id = $1 AND agency = $2 FOR UPDATE`, [referralId, actor.agency])
      : [];
    const row = rows[0];
    if (row === undefined) throw new ReferralError('NOT_FOUND', `no referral ${referralId.slice(0, 64)} routed to agency ${actor.agency}`, { details: { field: 'id' } });
    if (!FROM[input.step].includes(row.state)) {
      throw new ReferralError('STEP_NOT_ALLOWED', `a ${row.state} referral cannot be ${input.step} (it can be from ${FROM[input.step].join(' or ')})`, { details: { state: row.state } });
    }
    const now = deps.clock.now();
    const record = agencyStepRecord({ v: 1, step: input.step, referralId, agency: actor.agency, analyst: actor.analyst, tokenId: actor.tokenId, at: now.toISOString(), ...extra });
    const sha = referralRecordSha256(record);
    const result = input.step === 'closed' ? input.result : undefined;
    const { firstIndex } = await deps.log.append(tx, [{ kind: 'referral', step: input.step, referralId, agency: actor.agency, by: `agency:${actor.agency}`, recordSha256: sha, ...(result === undefined ? {} : { result }) }]);
    await tx.query(`INSERT INTO referral_steps (referral_id, step, by_party, record, record_sha256, result, leaf_index, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [referralId, input.step, `agency:${actor.agency}`, record, sha, result ?? null, firstIndex, now]);
    // Any step of the agency acknowledges the referral: it is no longer overdue from then on.
    await tx.query(`UPDATE referrals SET state = $2, acknowledged_at = COALESCE(acknowledged_at, $3), updated_at = $3 WHERE referral_id = $1`, [referralId, input.step, now]);
    return firstIndex;
  });
}
