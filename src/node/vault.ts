/**
 * The pseudonym vault: fingerprint → the raw identifier it was made from, kept only on the node
 * so that the member alone can answer a lawful re-identification request. Each value is sealed
 * with AES-256-GCM under the node's vault key, a fresh 96-bit nonce, and the fingerprint as
 * associated data, so a record moved onto another fingerprint's row does not open.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { EntityManager } from 'typeorm';
import { updateReturning } from '../db/index.js';
import type { Random } from '../kernel/index.js';
import { writePrivateKeyFile } from '../pki/index.js';
import type { SellerIdentifier, SellerIdentifierKind } from '../indicators/index.js';
import { NodeError } from './errors.js';

type Queryable = Pick<EntityManager, 'query'>;

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What the vault keeps: seller identifiers, and the raw listing ids behind listing pseudonyms. */
export type PseudonymKind = SellerIdentifierKind | 'listing';
export interface RawValue {
  readonly kind: PseudonymKind;
  /** Raw platform data: never logged, never put in an error. */
  readonly value: string;
}

export interface SealedPseudonym {
  readonly fingerprint: string;
  readonly kind: PseudonymKind;
  readonly keyId: string;
  readonly nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly ciphertext: Uint8Array;
}

export interface Vault {
  seal(fingerprint: string, keyId: string, identifier: RawValue): SealedPseudonym;
  open(record: SealedPseudonym): RawValue;
  /** A value that identifies the key without revealing it, stored to catch a swapped key file. */
  readonly keyCheck: string;
}

export function createVault(key: Uint8Array, random: Random): Vault {
  if (key.length !== KEY_BYTES) throw new NodeError('NODE_MISCONFIGURED', `the vault key must be ${KEY_BYTES} bytes`);
  return {
    keyCheck: createHmac('sha256', key).update('wildintel vault key check v1').digest('base64url'),
    seal(fingerprint, keyId, identifier) {
      const nonce = random.bytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(fingerprint, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(identifier.value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { fingerprint, kind: identifier.kind, keyId, nonce, ciphertext };
    },
    open(record) {
      const body = Buffer.from(record.ciphertext);
      if (body.length < TAG_BYTES) throw corrupt(record.fingerprint);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, record.nonce).setAAD(Buffer.from(record.fingerprint, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const value = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
        return { kind: record.kind, value };
      } catch (cause) {
        throw corrupt(record.fingerprint, cause);
      }
    },
  };
}

function corrupt(fingerprint: string, cause?: unknown): NodeError {
  return new NodeError('VAULT_CORRUPT', `the vault record of ${fingerprint} does not decrypt with this node's vault key`, { cause, details: { fingerprint } });
}

/**
 * Reads the vault key file (base64 of 32 bytes), creating it with mode 0600 on first start.
 * Losing it makes the vault unreadable: operators back it up apart from the database.
 */
export async function loadOrCreateVaultKey(file: string, random: Random): Promise<{ key: Uint8Array; created: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new NodeError('NODE_MISCONFIGURED', `the vault key file ${file} cannot be read`, { cause });
    const key = random.bytes(KEY_BYTES);
    await writePrivateKeyFile(file, `${Buffer.from(key).toString('base64')}\n`);
    return { key, created: true };
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new NodeError('NODE_MISCONFIGURED', `the vault key file ${file} must hold base64 of ${KEY_BYTES} bytes`);
  }
  return { key: new Uint8Array(key), created: false };
}

/**
 * Binds the database to the vault key: the first start records the key's check value, every
 * later start must present the same key, so a wrong key file fails at start and not on the day
 * of a re-identification request.
 */
export async function assertVaultKey(db: Queryable, vault: Vault): Promise<void> {
  const rows = await updateReturning<{ vault_key_check: string | null }>(
    db,
    `UPDATE node_state SET vault_key_check = COALESCE(vault_key_check, $1) WHERE id = 1 RETURNING vault_key_check`,
    [vault.keyCheck],
  );
  const stored = rows[0]?.vault_key_check;
  if (stored !== vault.keyCheck) {
    throw new NodeError('VAULT_KEY_MISMATCH', "NODE_VAULT_KEY_FILE is not the key this node's vault was made with: restore the original key file");
  }
}

/** Stores new pseudonyms (the first raw spelling is kept) and refreshes when known ones were seen. */
export async function storePseudonyms(tx: Queryable, all: readonly SealedPseudonym[], seenAt: Date): Promise<void> {
  // One request may name the same seller twice; one INSERT … ON CONFLICT may touch a row only once.
  const seen = new Set<string>();
  const records = all.filter((r) => !seen.has(r.fingerprint) && seen.add(r.fingerprint));
  if (records.length === 0) return;
  await tx.query(
    `INSERT INTO node_pseudonyms (fingerprint, kind, key_id, nonce, ciphertext, first_seen_at, last_seen_at)
     SELECT t.fingerprint, t.kind, t.key_id, t.nonce, t.ciphertext, $6, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[]) AS t(fingerprint, kind, key_id, nonce, ciphertext)
     ON CONFLICT (fingerprint) DO UPDATE SET last_seen_at = GREATEST(node_pseudonyms.last_seen_at, EXCLUDED.last_seen_at)`,
    [
      records.map((r) => r.fingerprint),
      records.map((r) => r.kind),
      records.map((r) => r.keyId),
      records.map((r) => Buffer.from(r.nonce)),
      records.map((r) => Buffer.from(r.ciphertext)),
      seenAt,
    ],
  );
}

/** The raw identifier behind a seller fingerprint, for a lawful request; undefined when this node never saw it. */
export async function revealPseudonym(db: Queryable, vault: Vault, fingerprint: string): Promise<SellerIdentifier | undefined> {
  // Listing rows are kept for the member's own records; a disclosure request names a seller.
  const rows: Array<{ kind: SellerIdentifierKind; key_id: string; nonce: Uint8Array; ciphertext: Uint8Array }> = await db.query(
    `SELECT kind, key_id, nonce, ciphertext FROM node_pseudonyms WHERE fingerprint = $1 AND kind <> 'listing'`,
    [fingerprint],
  );
  const row = rows[0];
  return row === undefined ? undefined : { kind: row.kind, value: vault.open({ fingerprint, kind: row.kind, keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext }).value };
}

