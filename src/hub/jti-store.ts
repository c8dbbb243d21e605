import type { DataSource } from 'typeorm';
import type { JtiStore } from '../provenance/index.js';

/** Replay protection shared by every hub process through the database; expired ids are swept as new ones arrive. */
export function createDatabaseJtiStore(db: Pick<DataSource, 'query'>, now: () => Date): JtiStore {
  let lastSweep = 0;
  return {
    async claim(member, jti, expiresAt) {
      const at = now();
      if (at.getTime() - lastSweep > 60_000) {
        lastSweep = at.getTime();
        await db.query(`DELETE FROM member_request_jtis WHERE expires_at < $1`, [at]);
      }
      const rows: unknown[] = await db.query(
        `INSERT INTO member_request_jtis (member, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti`,
        [member, jti, expiresAt],
      );
      return rows.length === 1;
    },
  };
}
