/**
 * The member's side: one signed record per receiving agency (one referralId each, one caseRef for
 * the case), evidence encrypted to each agency's own key. The member node builds them; the hub
 * verifies them before trusting any of it.
 */
import { isWildintelError, type Random } from '../kernel/index.js';
import type { RevocationLookup } from '../pki/index.js';
import { createMemberRecordVerifier, signMemberRecord, type BatchSigner } from '../provenance/index.js';
import { encryptionKeyOf, type AgencyKeySet } from '../disclosure/index.js';
import { ReferralError } from './errors.js';
import { encryptEvidence } from './evidence.js';
import { MAX_RECORD_BYTES, parseReferralPayload, REFERRAL_TYP, type EvidenceFile, type ReferralPayload, type Urgency } from './records.js';

export interface ReferralDraft {
  readonly sellers: readonly string[];
  readonly indicators: readonly string[];
  readonly summary: string;
  readonly urgency: Urgency;
  readonly commodity: ReferralPayload['commodity'];
  readonly place: string;
  readonly evidence?: readonly EvidenceFile[] | undefined;
}

/** A receiving agency as the hub names it, with its key set when it registered one. */
export interface ReceivingAgency {
  readonly agency: string;
  readonly keys: AgencyKeySet | null;
}

export interface SignedReferral {
  readonly referralId: string;
  readonly agency: string;
  readonly record: string;
}

/** Signs one referral per agency; evidence needs each agency's encryption key (NO_AGENCY_KEY otherwise). */
export async function signReferrals(
  draft: ReferralDraft,
  to: { readonly agencies: readonly ReceivingAgency[]; readonly routing: 'NAMED' | 'COMPETENCE' },
  from: { readonly member: string; readonly signer: BatchSigner; readonly random: Random },
): Promise<{ caseRef: string; referrals: SignedReferral[] }> {
  const caseRef = from.random.uuid();
  const referrals: SignedReferral[] = [];
  for (const { agency, keys } of to.agencies) {
    const referralId = from.random.uuid();
    const files = draft.evidence ?? [];
    if (files.length > 0 && keys === null) throw new ReferralError('NO_AGENCY_KEY', `agency ${agency} registered no encryption key: evidence cannot be sent to it (send the referral without evidence, or ask the hub operator)`, { details: { agency } });
    const evidence = files.length > 0 && keys !== null ? await encryptEvidence(referralId, files, encryptionKeyOf(keys)) : undefined;
    const payload = parseReferralPayload({
      v: 1,
      referralId,
      caseRef,
      member: from.member,
      agency,
      routing: to.routing,
      sellers: [...draft.sellers],
      indicators: [...draft.indicators],
      summary: draft.summary,
      urgency: draft.urgency,
      commodity: draft.commodity,
      place: draft.place,
      ...(evidence === undefined ? {} : { evidence }),
    });
    referrals.push({ referralId, agency, record: await signMemberRecord(payload as never, REFERRAL_TYP, from.signer) });
  }
  return { caseRef, referrals };
}

export interface ReferralVerifier {
  /**
   * Verifies the envelope, the chain (valid and unrevoked at `now`, the hub's time: the record
   * carries none), the signature and the payload's form.
   * @throws ReferralError `REFERRAL_SIGNATURE` (details.reason: the provenance or PKI code) | `INVALID_REFERRAL`
   */
  verify(jws: string, now: Date): Promise<ReferralPayload>;
}

export function createReferralVerifier(options: { roots: readonly Uint8Array[]; isRevoked: RevocationLookup }): ReferralVerifier {
  const records = createMemberRecordVerifier({ typ: REFERRAL_TYP, roots: options.roots, isRevoked: options.isRevoked, maxBytes: MAX_RECORD_BYTES });
  return {
    async verify(jws, now) {
      let payload;
      try {
        ({ payload } = await records.verify(jws, () => now));
      } catch (cause) {
        const reason = isWildintelError(cause) ? cause.code : 'MALFORMED';
        throw new ReferralError('REFERRAL_SIGNATURE', `the referral does not verify: ${(cause as Error).message}`, { cause, details: { reason } });
      }
      return parseReferralPayload(payload);
    },
  };
}
