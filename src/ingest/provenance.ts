import type { DataSource } from 'typeorm';
import { decodeProtectedHeader } from 'jose';
import type { Tlp } from '../indicators/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { mayRead, type Reader } from './batch-access.js';

export interface ProvenanceSighting {
  member: string;
  batchId: string;
  tlp: Tlp;
  jws: string;
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

/** Every visible sighting's batch, chain, entry and inclusion proof, all against one checkpoint. */
export async function provenanceOf(deps: { db: DataSource; log: TransparencyLog }, reader: Reader, indicatorId: string): Promise<ProvenanceBundle | null> {
  const rows: Array<{ member: string; batch_id: string; tlp: Tlp; jws: string; leaf_index: string | number }> = await deps.db.query(
    `SELECT DISTINCT b.member, b.batch_id::text, b.tlp, b.jws, b.leaf_index
     FROM sightings s JOIN batches b ON b.member = s.member AND b.batch_id = s.batch_id
     WHERE s.indicator_id = $1 AND s.retracted_at IS NULL ORDER BY b.leaf_index`,
    [indicatorId],
  );
  const visible = rows.filter((r) => mayRead(reader, r));
  if (visible.length === 0) return null;
  const { size, note } = await deps.log.latestCheckpoint(deps.db);
  const sightings = await Promise.all(
    visible.map(async (r) => {
      const leafIndex = Number(r.leaf_index);
      const [entry] = await deps.log.entries(deps.db, leafIndex, leafIndex + 1);
      const proof = await deps.log.inclusionProof(deps.db, leafIndex, size);
      return {
        member: r.member,
        batchId: r.batch_id,
        tlp: r.tlp,
        jws: r.jws,
        certificateChain: (decodeProtectedHeader(r.jws).x5c ?? []).map(String),
        leafIndex,
        logEntry: Buffer.from(entry!).toString('base64'),
        inclusionProof: proof.map((h) => Buffer.from(h).toString('base64')),
      };
    }),
  );
  return { indicatorId, checkpoint: note, treeSize: size, sightings };
}
