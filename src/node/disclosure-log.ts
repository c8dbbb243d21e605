/**
 * What the node's verified copy of the log says about disclosures: each `agency` entry (an
 * agency's key set hash) and each `disclosure` entry, kept as the feed follower verifies them, so
 * that a request served by the hub is trusted only when the log itself committed to it.
 */
import type { EntityManager } from 'typeorm';
import type { AgencyEntry, DisclosureEntry, LogEntry } from '../tlog/index.js';

type Queryable = Pick<EntityManager, 'query'>;

export type DisclosureLogEntry = (AgencyEntry | DisclosureEntry) & { readonly leafIndex: number };

export function isDisclosureLogEntry(entry: LogEntry): entry is AgencyEntry | DisclosureEntry {
  return entry.kind === 'agency' || entry.kind === 'disclosure';
}

/** Inside the feed page's transaction: idempotent, a page re-read after a crash stores nothing twice. */
export async function storeDisclosureLog(tx: Queryable, entries: readonly DisclosureLogEntry[]): Promise<void> {
  const keys = entries.filter((e): e is AgencyEntry & { leafIndex: number } => e.kind === 'agency');
  const steps = entries.filter((e): e is DisclosureEntry & { leafIndex: number } => e.kind === 'disclosure');
  if (keys.length > 0) {
    await tx.query(`INSERT INTO node_agency_keys (leaf_index, agency, keys_sha256) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`, [keys.map((k) => k.leafIndex), keys.map((k) => k.agency), keys.map((k) => k.keysSha256)]);
  }
  if (steps.length > 0) {
    await tx.query(`INSERT INTO node_disclosure_log (leaf_index, request_id, step, record_sha256) SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`, [
      steps.map((s) => s.leafIndex),
      steps.map((s) => s.requestId),
      steps.map((s) => s.step),
      steps.map((s) => s.recordSha256),
    ]);
  }
}

/** The log's entry for a request's step, if the feed has reached it. */
export async function loggedStep(db: Queryable, requestId: string, step: string): Promise<{ leafIndex: number; recordSha256: string } | undefined> {
  const rows: Array<{ leaf_index: string | number; record_sha256: string }> = await db.query(`SELECT leaf_index, record_sha256 FROM node_disclosure_log WHERE request_id = $1 AND step = $2 ORDER BY leaf_index LIMIT 1`, [requestId, step]);
  return rows[0] === undefined ? undefined : { leafIndex: Number(rows[0].leaf_index), recordSha256: rows[0].record_sha256 };
}

/** The hash of the key set the log says was in force for `agency` just before entry `before`. */
export async function loggedAgencyKeys(db: Queryable, agency: string, before: number): Promise<{ leafIndex: number; keysSha256: string } | undefined> {
  const rows: Array<{ leaf_index: string | number; keys_sha256: string }> = await db.query(`SELECT leaf_index, keys_sha256 FROM node_agency_keys WHERE agency = $1 AND leaf_index < $2 ORDER BY leaf_index DESC LIMIT 1`, [agency, before]);
  return rows[0] === undefined ? undefined : { leafIndex: Number(rows[0].leaf_index), keysSha256: rows[0].keys_sha256 };
}

/** Whether the log holds this exact record at this index (a step the node sent). */
export async function loggedAt(db: Queryable, leafIndex: number): Promise<{ recordSha256: string } | undefined> {
  const rows: Array<{ record_sha256: string }> = await db.query(`SELECT record_sha256 FROM node_disclosure_log WHERE leaf_index = $1`, [leafIndex]);
  return rows[0] === undefined ? undefined : { recordSha256: rows[0].record_sha256 };
}
