/**
 * Whether a member lets its sightings travel as STIX `sighting` objects. Withheld by default: a
 * sighting names the platform where a trafficking listing was seen, which a member may not want
 * in every agency's own database. A member asks the hub operator (`wildintel interop sightings
 * <member> share|withhold`); the choice applies to its batches logged from then on, never to what
 * the feeds already carried, so no consumer's copy is contradicted afterwards.
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { InteropError } from './errors.js';

export interface SightingPolicy {
  member: string;
  share: boolean;
  /** The first log index the choice applies to. */
  fromLeaf: number;
  setAt: Date;
}

/** Records a member's choice from the next log index on. */
export async function setSightingSharing(deps: { db: DataSource; clock: Clock }, member: string, share: boolean): Promise<SightingPolicy> {
  return deps.db.transaction(async (tx) => {
    const known: unknown[] = await tx.query(`SELECT 1 FROM members WHERE slug = $1`, [member]);
    if (known.length === 0) throw new InteropError('UNKNOWN_MEMBER', `no member named ${member}`, { details: { member } });
    // The log's own lock: no batch can be appended between reading the size and committing, so the
    // choice starts exactly at the next entry (a feed that already walked past an entry never
    // learns that its sightings should have been shared).
    const locked: Array<{ size: string | number }> = await tx.query(`SELECT size FROM tlog_state WHERE id = 1 FOR UPDATE`);
    const fromLeaf = Number(locked[0]?.size ?? 0);
    const setAt = deps.clock.now();
    await tx.query(
      `INSERT INTO interop_sighting_policy (member, from_leaf, share, set_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (member, from_leaf) DO UPDATE SET share = EXCLUDED.share, set_at = EXCLUDED.set_at`,
      [member, fromLeaf, share, setAt],
    );
    return { member, share, fromLeaf, setAt };
  });
}

/** Every member's current choice (members without a row withhold). */
export async function listSightingSharing(db: DataSource): Promise<SightingPolicy[]> {
  const found: Array<{ member: string; share: boolean; from_leaf: string | number | null; set_at: Date | null }> = await db.query(
    `SELECT m.slug AS member, COALESCE(p.share, false) AS share, p.from_leaf, p.set_at FROM members m
     LEFT JOIN LATERAL (SELECT * FROM interop_sighting_policy q WHERE q.member = m.slug ORDER BY q.from_leaf DESC LIMIT 1) p ON true
     ORDER BY m.slug`,
  );
  return found.map((r) => ({ member: r.member, share: r.share, fromLeaf: Number(r.from_leaf ?? 0), setAt: r.set_at === null ? new Date(0) : new Date(r.set_at) }));
}
