/**
 * Builds a case's evidence package at the hub for the requesting agency. What it says about
 * indicators, sightings and batches is read only through the hub's visibility decision for the
 * caller (findIndicators and listSightings with the caller's Visibility, provenanceOf with the
 * caller as a batch Reader): the package never holds more than the token may see.
 */
import type { DataSource } from 'typeorm';
import type { DisclosureService, RequestView } from '../disclosure/index.js';
import { findIndicators, listSightings, type Visibility } from '../indicators/index.js';
import { provenanceOf } from '../ingest/index.js';
import type { Grant } from '../auth/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { EvidenceError } from './errors.js';
import { EVIDENCE_FORMAT, type EvidenceDisclosure, type EvidenceIndicator, type EvidencePackage } from './format.js';
import { summarize } from './summary.js';

export interface EvidenceCaller {
  readonly agency: string;
  readonly visibility: Visibility;
  /** The caller's grant on the provenance path (src/auth/entitlement.ts). */
  readonly grant: Grant;
}

export interface AssembleDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly disclosures: DisclosureService;
  /** The hub's origin, named in the package. */
  readonly hub: string;
  readonly now: Date;
}

const MAX_EXTRA_INDICATORS = 200;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function logged(deps: AssembleDeps, leafIndex: number, size: number): Promise<{ logEntry: string; leafIndex: number; inclusionProof: string[] }> {
  const [entry] = await deps.log.entries(deps.db, leafIndex, leafIndex + 1);
  const proof = await deps.log.inclusionProof(deps.db, leafIndex, size);
  return { logEntry: b64(entry!), leafIndex, inclusionProof: proof.map(b64) };
}

async function disclosureOf(deps: AssembleDeps, request: RequestView, size: number): Promise<EvidenceDisclosure> {
  const records = [];
  // A retrieval being logged right now (leaf -1) is not part of this checkpoint's history yet.
  for (const s of request.steps.filter((x) => x.leafIndex >= 0 && x.leafIndex < size)) {
    records.push({ step: s.step, member: s.member, record: s.record, ...(await logged(deps, s.leafIndex, size)) });
  }
  const keys = request.agencyKeys;
  return { requestId: request.requestId, agencyKeys: { agency: keys.agency, jwks: keys.jwks, ...(await logged(deps, keys.leafIndex, size)) }, records };
}

async function indicatorsOf(deps: AssembleDeps, caller: EvidenceCaller, ids: readonly string[]): Promise<EvidenceIndicator[]> {
  const records = await findIndicators(deps.db, ids, caller.visibility);
  return Promise.all(
    records.map(async (r) => ({
      id: r.id,
      type: r.type,
      value: r.value,
      members: r.members,
      firstSeenAt: new Date(r.firstSeenAt).toISOString(),
      lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      sightings: (await listSightings(deps.db, r)).map((s) => ({ member: s.member, batchId: String(s.batchId), observedAt: new Date(s.observedAt).toISOString(), commodity: s.commodity, species: s.species, confidence: s.confidence, tlp: s.tlp })),
    })),
  );
}

/**
 * The package without decrypted answers (the hub cannot make those): the requests of `caseId`
 * filed by the caller's agency, the sellers they name and `extraIndicatorIds`, all against the
 * log as it stands now.
 * @throws EvidenceError `CASE_MISMATCH` when the agency filed no request in this case; `EVIDENCE_MALFORMED` for over 200 more indicators
 */
export async function assembleEvidence(deps: AssembleDeps, caller: EvidenceCaller, caseId: string, extraIndicatorIds: readonly string[] = []): Promise<EvidencePackage> {
  if (extraIndicatorIds.length > MAX_EXTRA_INDICATORS) throw new EvidenceError('EVIDENCE_MALFORMED', `a package names at most ${MAX_EXTRA_INDICATORS} more indicators`);
  const { requests } = await deps.disclosures.list({ agency: caller.agency, caseId }, { first: 200 });
  if (requests.length === 0) throw new EvidenceError('CASE_MISMATCH', `agency ${caller.agency} filed no disclosure request in case ${caseId}`);
  const { size, note } = await deps.log.latestCheckpoint(deps.db);
  const ids = [...new Set([...requests.map((r) => r.indicatorId), ...extraIndicatorIds])];
  const indicators = await indicatorsOf(deps, caller, ids);
  const provenance = [];
  for (const indicator of indicators) {
    // A version 2 batch comes with this indicator's disclosure alone: the package carries none of
    // the batch's other items (other sellers' fingerprints). A version 1 batch cannot be divided:
    // its JWS comes whole when the caller may see all of it, and otherwise, unverifiable offline, not at all.
    const bundle = await provenanceOf({ db: deps.db, log: deps.log }, caller.grant, indicator.id, { onlyIndicators: new Set([indicator.id]) });
    const signed = bundle?.sightings.flatMap(({ member, batchId, tlp, jws, sdJwt, certificateChain, leafIndex, logEntry, inclusionProof }) => {
      const batch = jws !== null ? { jws } : sdJwt !== null ? { sdJwt } : undefined;
      return batch === undefined ? [] : [{ member, batchId, tlp, ...batch, certificateChain, leafIndex, logEntry, inclusionProof }];
    }) ?? [];
    if (bundle !== null && signed.length > 0) provenance.push({ v: 1 as const, indicatorId: bundle.indicatorId, checkpoint: bundle.checkpoint, treeSize: bundle.treeSize, sightings: signed });
  }
  const disclosures = [];
  for (const request of [...requests].reverse()) disclosures.push(await disclosureOf(deps, request, size));
  const body: Omit<EvidencePackage, 'summary'> = { format: EVIDENCE_FORMAT, caseId, agency: caller.agency, exportedAt: deps.now.toISOString(), hub: deps.hub, checkpoint: note, treeSize: size, indicators, provenance, disclosures, answers: [] };
  return { ...body, summary: { markdown: summarize(body) } };
}
