import type { DataSource } from 'typeorm';
import type { RevocationLookup } from '../pki/index.js';

/**
 * The hub's revocation list, as the batch verifier consults it. Revocations only ever
 * get added, so refreshing a shared snapshot before each verification is safe under
 * concurrency, and several hub processes see each other's revocations through the database.
 */
export interface RevocationList {
  readonly lookup: RevocationLookup;
  refresh(): Promise<void>;
}

export function createRevocationList(db: Pick<DataSource, 'query'>): RevocationList {
  let revokedAt = new Map<string, Date>();
  return {
    lookup: (serialHex) => revokedAt.get(serialHex),
    async refresh() {
      const rows: Array<{ serial: string; revoked_at: Date }> = await db.query(`SELECT serial, revoked_at FROM member_certificates WHERE revoked_at IS NOT NULL`);
      revokedAt = new Map(rows.map((r) => [r.serial, new Date(r.revoked_at)]));
    },
  };
}
