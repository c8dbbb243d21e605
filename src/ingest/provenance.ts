import { outcomeFactsBy } from '../outcomes/index.js';
import type { DataSource } from 'typeorm';
import { decodeProtectedHeader } from 'jose';
import { maySee, type Grant } from '../auth/index.js';
import type { Commodity, IndicatorType, Tlp } from '../indicators/index.js';
import { encodeBase64, type TransparencyLog } from '../tlog/index.js';
import { issuerJwtOf } from '../provenance/index.js';
import { batchKey, contentFor, retractedBy, storedBatch, type BatchRow, type ContentOptions } from './batch-content.js';

export interface ProvenanceSighting {
  member: string;
  batchId: string;
  tlp: Tlp;
  /** A version 1 batch's compact JWS, when the caller may see every item of it; otherwise null (its hash and log entry still prove it). */
  jws: string | null;
  /** A version 2 batch as an SD-JWT with the disclosures the caller may see (at least this indicator's); null for version 1. */
  sdJwt: string | null;
  jwsSha256: string;
  certificateChain: string[];
  leafIndex: number;
  logEntry: string;
  inclusionProof: string[];
}

export interface ProvenanceBundle {
  indicatorId: string;
  checkpoint: string;
  treeSize: number;
  sightings: ProvenanceSighting[];
}

interface Row extends BatchRow {
  sighting_tlp: Tlp;
  commodity: Commodity;
  type: IndicatorType;
}

/**
 * For each live sighting of the indicator the grant may see: its batch (a version 1 JWS only if the
 * grant sees every item of it; a version 2 SD-JWT with the disclosures the grant sees, narrowed by
 * `options`), certificate chain, log entry and inclusion proof, all against one checkpoint.
 */
export async function provenanceOf(deps: { db: DataSource; log: TransparencyLog }, grant: Grant, indicatorId: string, options: ContentOptions = {}): Promise<ProvenanceBundle | null> {
  const rows: Row[] = await deps.db.query(
    `SELECT b.member, b.batch_id::text, b.tlp, b.jws, b.jws_sha256, b.leaf_index, s.tlp AS sighting_tlp, s.commodity, i.type
     FROM sightings s JOIN batches b ON b.member = s.member AND b.batch_id = s.batch_id JOIN indicators i ON i.id = s.indicator_id
     WHERE s.indicator_id = $1 AND s.retracted_at IS NULL ORDER BY b.leaf_index`,
    [indicatorId],
  );
  const visible = rows.filter((r) => maySee(grant, { member: r.member, tlp: r.sighting_tlp, commodity: r.commodity, type: r.type }));
  if (visible.length === 0) return null;
  const batches = visible.map(storedBatch);
  const retracted = await retractedBy(deps.db, batches);
  const outcomes = await outcomeFactsBy(deps.db, batches);
  const { size, note } = await deps.log.latestCheckpoint(deps.db);
  const sightings = await Promise.all(
    batches.map(async (b) => {
      const [entry] = await deps.log.entries(deps.db, b.leafIndex, b.leafIndex + 1);
      const proof = await deps.log.inclusionProof(deps.db, b.leafIndex, size);
      const content = contentFor(grant, b, retracted.get(batchKey(b)) ?? [], outcomes.get(batchKey(b)) ?? new Map(), options);
      const signed = content.kind === 'none' ? undefined : content.signed;
      return {
        member: b.member,
        batchId: b.batchId,
        tlp: b.tlp,
        jws: signed !== undefined && 'jws' in signed ? signed.jws : null,
        sdJwt: signed !== undefined && 'sdJwt' in signed ? signed.sdJwt : null,
        jwsSha256: b.jwsSha256,
        certificateChain: (decodeProtectedHeader(issuerJwtOf(b.jws)).x5c ?? []).map(String),
        leafIndex: b.leafIndex,
        logEntry: encodeBase64(entry!),
        inclusionProof: proof.map(encodeBase64),
      };
    }),
  );
  return { indicatorId, checkpoint: note, treeSize: size, sightings };
}
