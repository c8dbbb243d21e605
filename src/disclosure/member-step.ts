import { isWildintelError } from '../kernel/index.js';
import type { RevocationLookup } from '../pki/index.js';
import { createMemberRecordVerifier, parseRfc3339, signMemberRecord, type BatchSigner } from '../provenance/index.js';
import { DisclosureError } from './errors.js';
import { parseMemberStep, STEP_TYP, type MemberStepPayload } from './records.js';

/** A member's step record (delivered, answered, declined): signed with its certificate, like a batch. */
export function signMemberStep(payload: MemberStepPayload, signer: BatchSigner): Promise<string> {
  return signMemberRecord(parseMemberStep(payload), STEP_TYP, signer);
}

export interface VerifiedMemberStep {
  readonly payload: MemberStepPayload;
  readonly leafSerialHex: string;
}

export interface MemberStepVerifier {
  /**
   * Verifies the envelope, chain (valid and unrevoked at `at`, or at the record's own time) and
   * signature, then the payload's form.
   * @throws DisclosureError `ANSWER_TAMPERED` (details.reason: the provenance or PKI code) | `ANSWER_INVALID`
   */
  verify(jws: string, at?: Date): Promise<VerifiedMemberStep>;
}

export function createMemberStepVerifier(options: { roots: readonly Uint8Array[]; isRevoked: RevocationLookup }): MemberStepVerifier {
  const records = createMemberRecordVerifier({ typ: STEP_TYP, roots: options.roots, isRevoked: options.isRevoked, maxBytes: 128 * 1024 });
  return {
    async verify(jws, at) {
      let verified;
      try {
        verified = await records.verify(jws, (payload) => at ?? parseRfc3339(String(payload['at'])) ?? new Date(Number.NaN));
      } catch (cause) {
        const reason = isWildintelError(cause) ? cause.code : 'MALFORMED';
        throw new DisclosureError('ANSWER_TAMPERED', `the member record does not verify: ${(cause as Error).message}`, { cause, details: { reason } });
      }
      try {
        return { payload: parseMemberStep(verified.payload), leafSerialHex: verified.leafSerialHex };
      } catch (cause) {
        throw new DisclosureError('ANSWER_INVALID', (cause as Error).message, { cause, details: { ...(isWildintelError(cause) ? cause.details : {}) } });
      }
    },
  };
}
