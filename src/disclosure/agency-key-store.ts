import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { encryptionKeyOf, keysSha256, parseAgencyKeySet, signingKeyOf, type AgencyKeySet } from './agency-keys.js';
import { DisclosureError } from './errors.js';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export interface AgencyKeyRegistration {
  readonly id: number;
  readonly agency: string;
  readonly keys: AgencyKeySet;
  /** The RFC 8785 JSON of `keys`, as hashed into the `agency` entry. */
  readonly jwks: string;
  readonly keysSha256: string;
  readonly registeredAt: Date;
  readonly leafIndex: number;
}

interface Row {
  id: string | number;
  agency: string;
  jwks: string;
  keys_sha256: string;
  registered_at: Date;
  leaf_index: string | number;
}

async function toRegistration(row: Row): Promise<AgencyKeyRegistration> {
  return { id: Number(row.id), agency: row.agency, keys: await parseAgencyKeySet(JSON.parse(row.jwks)), jwks: row.jwks, keysSha256: row.keys_sha256, registeredAt: new Date(row.registered_at), leafIndex: Number(row.leaf_index) };
}

const COLUMNS = 'id, agency, jwks, keys_sha256, registered_at, leaf_index';

/**
 * Registers an agency's public key set (replacing the one in force) and logs its hash as an
 * `agency` entry in the same transaction. Requests signed with an older set are refused from then on.
 * @throws DisclosureError `NOT_FOUND` when the agency is not registered
 */
export async function registerAgencyKeys(deps: { db: DataSource; log: TransparencyLog; clock: Clock }, agency: string, keys: AgencyKeySet): Promise<AgencyKeyRegistration> {
  const jwks = canonicalJson(keys);
  const hash = keysSha256(keys);
  const row = await deps.db.transaction(async (tx) => {
    const known: unknown[] = await tx.query(`SELECT 1 FROM agencies WHERE slug = $1`, [agency]);
    if (known.length === 0) throw new DisclosureError('NOT_FOUND', `no agency ${agency}: add it first (wildintel agency add)`);
    const { firstIndex } = await deps.log.append(tx, [{ kind: 'agency', agency, keysSha256: hash }]);
    const rows: Row[] = await tx.query(
      `INSERT INTO agency_keys (agency, jwks, keys_sha256, encryption_kid, signing_kid, registered_at, leaf_index) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [agency, jwks, hash, encryptionKeyOf(keys).kid, signingKeyOf(keys).kid, deps.clock.now(), firstIndex],
    );
    return rows[0]!;
  });
  return toRegistration(row);
}

/** The key set in force for an agency, or undefined when it registered none. */
export async function currentAgencyKeys(db: Queryable, agency: string): Promise<AgencyKeyRegistration | undefined> {
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM agency_keys WHERE agency = $1 ORDER BY id DESC LIMIT 1`, [agency]);
  return rows[0] === undefined ? undefined : toRegistration(rows[0]);
}

export async function agencyKeysById(db: Queryable, ids: readonly number[]): Promise<Map<number, AgencyKeyRegistration>> {
  if (ids.length === 0) return new Map();
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM agency_keys WHERE id = ANY($1::bigint[])`, [[...new Set(ids)]]);
  const registrations = await Promise.all(rows.map(toRegistration));
  return new Map(registrations.map((r) => [r.id, r]));
}
