import { decryptAnswer, jwsPayload } from '../disclosure/formats/index.js';
import type { EvidenceAnswer, EvidencePackage } from './format.js';
import { summarize } from './summary.js';

/**
 * Adds the decrypted answers to a package, for its holder who has the agency's private
 * encryption key: each answer with the content key of its one message (never the private key),
 * so that anyone can check the decryption. The summary is remade to show them.
 * @throws DisclosureError `ANSWER_UNDECRYPTABLE` when the key is not the one the answers were encrypted to
 */
export async function withDecryptedAnswers(pkg: EvidencePackage, encryptionKeyPem: string): Promise<EvidencePackage> {
  const answers: EvidenceAnswer[] = [];
  for (const d of pkg.disclosures) {
    for (const r of d.records.filter((x) => x.step === 'answered')) {
      const jwe = String((jwsPayload(r.record) as { answer?: unknown }).answer);
      const { plaintext, contentKey } = await decryptAnswer(jwe, encryptionKeyPem);
      answers.push({ requestId: d.requestId, member: r.member ?? '', contentKey, plaintext: { ...plaintext } });
    }
  }
  const { summary: _old, ...body } = pkg;
  const next = { ...body, answers };
  return { ...next, summary: { markdown: summarize(next) } };
}
