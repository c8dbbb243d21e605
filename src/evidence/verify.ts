/**
 * `wildintel evidence verify`: checks a package offline with only the federation root and the
 * log's verifier key, as named steps — the checkpoint → every provenance bundle (audit's own
 * checkBundle) → every sighting listed is backed by a verified batch → every disclosure: the
 * agency keys and each record are the ones the log commits to, included in the checkpoint, and the
 * history holds (disclosure's verifyHistory) → every decrypted answer opens from its ciphertext →
 * the summary is the one the content makes. Each signature's meaning is reported as statements:
 * what it proves, and what it does not.
 */
import { AuditError, checkBundle, proveEntryIncluded, type BundleReport } from '../audit/index.js';
import { DisclosureError, keysSha256, openWithContentKey, parseAgencyKeySet, plaintextJson, verifyHistory, recordSha256, type LoggedRecord, type VerifiedHistory } from '../disclosure/formats/index.js';
import type { Clock } from '../kernel/index.js';
import { pemToDerCertificates } from '../pki/index.js';
import { openCheckpoint, type Checkpoint } from '../tlog/index.js';
import { EvidenceError } from './errors.js';
import { parseEvidencePackage, type EvidenceDisclosure, type EvidencePackage } from './format.js';
import { proves } from './statements.js';
import { summarize } from './summary.js';

export interface Statement {
  readonly subject: string;
  readonly proves: readonly string[];
  readonly doesNotProve: readonly string[];
}

export interface EvidenceReport {
  readonly caseId: string;
  readonly agency: string;
  readonly treeSize: number;
  readonly checkpointOrigin: string;
  readonly statements: readonly Statement[];
}

export interface VerifyOptions {
  readonly rootPem: string;
  readonly verifierKey: string;
  readonly clock: Clock;
}

function openSigned(note: string, verifierKey: string, treeSize: number): Checkpoint {
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(note, verifierKey);
  } catch (cause) {
    throw new AuditError('CHECKPOINT_SIGNATURE', `the package's checkpoint does not verify under the log key: ${(cause as Error).message}`, { cause });
  }
  if (checkpoint.size !== treeSize) throw new AuditError('ROOT_MISMATCH', `the package says tree size ${treeSize}, its checkpoint ${checkpoint.size}`);
  return checkpoint;
}

async function checkBatches(pkg: EvidencePackage, options: VerifyOptions): Promise<Map<string, BundleReport>> {
  const reports = new Map<string, BundleReport>();
  for (const bundle of pkg.provenance) reports.set(bundle.indicatorId, await checkBundle(bundle, options));
  for (const indicator of pkg.indicators) {
    const report = reports.get(indicator.id);
    for (const s of indicator.sightings) {
      const batch = report?.sightings.find((b) => b.member === s.member && b.batchId === s.batchId);
      const signed = batch?.indicator;
      const same = signed !== undefined && signed['observedAt'] !== undefined && new Date(String(signed['observedAt'])).toISOString() === s.observedAt && signed['commodity'] === s.commodity && signed['confidence'] === s.confidence && batch!.tlp === s.tlp;
      if (!same) throw new EvidenceError('SIGHTING_UNBACKED', `indicator ${indicator.id}: the sighting by ${s.member} in batch ${s.batchId} is not what a verified batch in the package says`);
    }
  }
  return reports;
}

async function checkDisclosure(d: EvidenceDisclosure, pkg: EvidencePackage, checkpoint: Checkpoint, roots: readonly Uint8Array[]): Promise<VerifiedHistory> {
  const where = `request ${d.requestId}`;
  const keysEntry = proveEntryIncluded(d.agencyKeys, checkpoint, `${where}, agency keys`);
  const keys = await parseAgencyKeySet(JSON.parse(d.agencyKeys.jwks) as unknown).catch((cause: unknown) => {
    throw new DisclosureError('AGENCY_KEY_MISMATCH', `${where}: the agency key set is not a registered key set`, { cause });
  });
  if (keysEntry.kind !== 'agency' || keysEntry.agency !== pkg.agency || keysEntry.keysSha256 !== keysSha256(keys)) {
    throw new DisclosureError('AGENCY_KEY_MISMATCH', `${where}: the agency keys are not the ones the log's agency entry ${d.agencyKeys.leafIndex} registered for ${pkg.agency}`);
  }
  const records: LoggedRecord[] = d.records.map((r) => {
    const entry = proveEntryIncluded(r, checkpoint, `${where}, ${r.step} record`);
    if (entry.kind !== 'disclosure' || entry.step !== r.step || entry.requestId !== d.requestId) throw new AuditError('MALFORMED_ENTRY', `${where}: log entry ${r.leafIndex} is not this request's ${r.step} entry`);
    if (entry.recordSha256 !== recordSha256(r.record)) throw new EvidenceError('RECORD_HASH_MISMATCH', `${where}: the ${r.step} record${r.member ? ` of ${r.member}` : ''} is not the one log entry ${r.leafIndex} commits to`);
    return { step: r.step, record: r.record, loggedAt: entry.ts, leafIndex: r.leafIndex };
  });
  const history = await verifyHistory(records, keys, { roots });
  if (history.request.caseId !== pkg.caseId || history.request.agency !== pkg.agency) throw new EvidenceError('CASE_MISMATCH', `${where} belongs to case ${history.request.caseId} of ${history.request.agency}`);
  if (d.agencyKeys.leafIndex >= history.filedLeafIndex) throw new DisclosureError('AGENCY_KEY_MISMATCH', `${where}: the agency keys were registered after the request was filed`);
  return history;
}

function checkAnswers(pkg: EvidencePackage, histories: ReadonlyMap<string, VerifiedHistory>): void {
  for (const a of pkg.answers) {
    const where = `the answer of ${a.member} to request ${a.requestId}`;
    const history = histories.get(a.requestId);
    const outcome = history?.members.find((m) => m.member === a.member)?.outcome;
    if (history === undefined || outcome?.step !== 'answered' || outcome.answer === undefined) throw new EvidenceError('ANSWER_MISMATCH', `${where}: the package holds no such answered record`);
    const opened = openWithContentKey(outcome.answer, a.contentKey);
    if (plaintextJson(opened) !== plaintextJson(a.plaintext)) throw new EvidenceError('ANSWER_MISMATCH', `${where}: the decrypted answer given is not what the ciphertext holds`);
    if (opened.requestId !== a.requestId || opened.member !== a.member || opened.fingerprint !== history.routed.fingerprint) throw new EvidenceError('ANSWER_MISMATCH', `${where}: the ciphertext answers another request, member or seller`);
  }
}

export async function verifyEvidence(input: unknown, options: VerifyOptions): Promise<EvidenceReport> {
  const pkg = parseEvidencePackage(input);
  const checkpoint = openSigned(pkg.checkpoint, options.verifierKey, pkg.treeSize);
  const roots = pemToDerCertificates(options.rootPem);
  const batches = await checkBatches(pkg, options);
  const histories = new Map<string, VerifiedHistory>();
  for (const d of pkg.disclosures) histories.set(d.requestId, await checkDisclosure(d, pkg, checkpoint, roots));
  checkAnswers(pkg, histories);
  const { summary, ...body } = pkg;
  if (summarize(body) !== summary.markdown) throw new EvidenceError('SUMMARY_MISMATCH', 'the summary is not the one the package content makes: it was edited (remake it with wildintel evidence export)');
  return { caseId: pkg.caseId, agency: pkg.agency, treeSize: pkg.treeSize, checkpointOrigin: checkpoint.origin, statements: proves(pkg, batches, histories, checkpoint) };
}
