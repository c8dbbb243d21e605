/**
 * Evidence (screenshots, raw listing data) encrypted at the member's node to the receiving
 * agency's registered encryption key, with the disclosure answers' scheme (ECDH-ES, A256GCM): the
 * hub stores and relays the ciphertext and cannot read it. The plaintext names its referral, so
 * decrypted evidence cannot be passed off as another referral's.
 */
import { assertJweTo, decryptWithAgencyKey, DisclosureError, encryptToAgency, type PublicJwk } from '../disclosure/index.js';
import { canonicalBytes, parseCanonicalJson } from '../provenance/index.js';
import { ReferralError } from './errors.js';
import { EVIDENCE_CTY, MAX_EVIDENCE_JWE, parseEvidence, type EvidenceFile, type EvidencePlaintext } from './records.js';

export function encryptEvidence(referralId: string, files: readonly EvidenceFile[], to: PublicJwk): Promise<string> {
  const plaintext = parseEvidence({ v: 1, referralId, files });
  return encryptToAgency(canonicalBytes(plaintext as never), to, EVIDENCE_CTY);
}

/** What the hub checks of evidence it cannot read: its form, and that it is encrypted to the agency's key in force. */
export function assertEvidenceJwe(jwe: string, encryptionKid: string): void {
  try {
    assertJweTo(jwe, encryptionKid, EVIDENCE_CTY, { field: 'referral.evidence', maxBytes: MAX_EVIDENCE_JWE });
  } catch (err) {
    if (err instanceof DisclosureError) throw new ReferralError('INVALID_REFERRAL', err.message, { details: { field: 'referral.evidence' } });
    throw err;
  }
}

/**
 * Decrypts a referral's evidence with the agency's private encryption key (PKCS#8 PEM).
 * @throws ReferralError `INVALID_REFERRAL` when it does not decrypt with this key or is not this referral's evidence
 */
export async function decryptEvidence(jwe: string, privateKeyPem: string, referralId: string): Promise<EvidencePlaintext> {
  let bytes: Uint8Array;
  try {
    bytes = (await decryptWithAgencyKey(jwe, privateKeyPem, MAX_EVIDENCE_JWE)).plaintext;
  } catch (err) {
    throw new ReferralError('INVALID_REFERRAL', `the evidence does not decrypt with this key: ${(err as Error).message}`, { details: { field: 'evidence' }, cause: err });
  }
  const evidence = parseEvidence(parseCanonicalJson(bytes));
  if (evidence.referralId !== referralId) throw new ReferralError('INVALID_REFERRAL', "the evidence names another referral: it was moved from one referral onto another", { details: { field: 'evidence' } });
  return evidence;
}
