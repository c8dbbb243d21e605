/**
 * What each verified signature in a package means, in words a prosecutor can rely on: who said
 * what, and when the log recorded it — and, as plainly, what the signature does not show.
 */
import type { BundleReport } from '../audit/index.js';
import type { VerifiedHistory } from '../disclosure/index.js';
import type { Checkpoint } from '../tlog/index.js';
import type { EvidencePackage } from './format.js';
import type { Statement } from './verify.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function checkpointStatement(pkg: EvidencePackage, checkpoint: Checkpoint): Statement {
  return {
    subject: `checkpoint of ${checkpoint.origin} at ${checkpoint.size} entries`,
    proves: [`the hub's log key signed this tree head: every entry proven included below was in the hub's append-only log when it was signed, in that order, and the hub cannot later show a history without it to anyone holding this checkpoint`],
    doesNotProve: ['that the hub showed everyone the same log (compare checkpoints with other auditors: wildintel audit verify)', `that nothing was logged after entry ${pkg.treeSize - 1}`],
  };
}

function batchStatements(reports: ReadonlyMap<string, BundleReport>): Statement[] {
  return [...reports.values()].flatMap((report) =>
    report.sightings.map((s) => ({
      subject: `batch ${s.member}/${s.batchId} (indicator ${report.indicatorId})`,
      proves: [
        `member ${s.member} signed it with its federation certificate (serial ${s.leafSerialHex}) and vouched, at ${s.createdAt}, for the indicator as listed (observed ${String(s.indicator['observedAt'])}, ${String(s.indicator['commodity'])}, confidence ${String(s.indicator['confidence'])}, TLP ${s.tlp})`,
        s.format === 'sd-jwt'
          ? `the hub logged exactly this signed batch at entry ${s.leafIndex}, at ${iso(s.loggedAt)}; the indicator is disclosed alone from it, under the member's signature, at the place the member signed it`
          : `the hub logged exactly these bytes at entry ${s.leafIndex}, at ${iso(s.loggedAt)}`,
      ],
      doesNotProve: [
        'that the listing was illegal or the indicator right: only that the member reported it',
        'that the certificate was not revoked after this package was made (wildintel audit verify)',
        "the seller's identity: the fingerprint is a pseudonym",
        ...(s.withheld > 0 ? [`anything about the batch's ${s.withheld} other items: the package shows each only as a salted digest, which reveals nothing of it`] : []),
      ],
    })),
  );
}

function disclosureStatements(history: VerifiedHistory): Statement[] {
  const r = history.request;
  const statements: Statement[] = [
    {
      subject: `request ${r.requestId} (case ${r.caseId})`,
      proves: [
        `the holder of agency ${r.agency}'s registered signing key signed it for analyst ${r.analyst} (token ${r.tokenId}), naming officer ${r.officer} and legal basis ${r.legalBasis.reference}`,
        `the hub logged it at entry ${history.filedLeafIndex}, at ${iso(history.filedAt)}, and routed it to ${history.routed.members.join(', ')} for seller ${history.routed.fingerprint} until ${history.routed.expiresAt}`,
      ],
      doesNotProve: ['that the legal basis is valid or sufficient: that is for the court', 'that the agency key had not been replaced since (the log shows each replacement: wildintel audit disclosures)'],
    },
  ];
  for (const m of history.members) {
    const o = m.outcome;
    if (o === undefined) {
      statements.push({ subject: `${m.member} on request ${r.requestId}`, proves: [m.delivered ? `${m.member} signed that it received the request at ${m.delivered.at} (entry ${m.delivered.leafIndex})` : `${m.member} recorded nothing`], doesNotProve: ['anything about the seller'] });
      continue;
    }
    statements.push({
      subject: `${m.member}'s ${o.step} record on request ${r.requestId}`,
      proves: [
        `${m.member} signed it with its federation certificate (serial ${o.leafSerialHex}) at ${o.at}, for exactly this request, and the hub logged it at entry ${o.leafIndex} before the request expired`,
        o.step === 'answered' ? `the ciphertext in it is what ${m.member} encrypted to the agency's key; where a decrypted answer is included, it is what that ciphertext holds` : `${m.member} declined with reason ${o.reason ?? '?'}${o.note ? ` ("${o.note}")` : ''}`,
      ],
      doesNotProve: o.step === 'answered' ? ["that the identifier belongs to the suspect: only that it is what the member's records held for this fingerprint", 'that the member has no other record of the seller'] : ['why, beyond the reason given'],
    });
  }
  for (const t of history.retrievals) statements.push({ subject: `retrieval of ${t.member}'s answer`, proves: [`the hub recorded that token ${t.tokenId} (analyst ${t.analyst}) received the ciphertext at ${t.at} (entry ${t.leafIndex})`], doesNotProve: ['who decrypted it, or when'] });
  return statements;
}

export function proves(pkg: EvidencePackage, batches: ReadonlyMap<string, BundleReport>, histories: ReadonlyMap<string, VerifiedHistory>, checkpoint: Checkpoint): Statement[] {
  return [checkpointStatement(pkg, checkpoint), ...batchStatements(batches), ...[...histories.values()].flatMap(disclosureStatements)];
}
