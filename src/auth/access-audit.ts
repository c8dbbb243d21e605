import type { DataSource } from 'typeorm';
import { sha256Base64url, WildintelError, type Clock, type Logger } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import type { TransparencyLog } from '../tlog/index.js';

export const HOUR_MS = 3_600_000;

/** One agency request as recorded: never the token, never the variables' values. */
export interface AccessRecordInput {
  at: Date;
  agency: string;
  analyst: string;
  jti: string;
  operation: string;
  fields: string;
  variablesSha256: string;
  returned: number;
  outcome: 'OK' | 'PARTIAL' | 'ERROR';
}

export interface AccessRecordView extends AccessRecordInput {
  id: number;
  /** RFC 8785 JSON of the record: what its hour's digest hashes. */
  canonical: string;
}

export interface AccessDigestView {
  agency: string;
  hour: Date;
  count: number;
  digestSha256: string;
  leafIndex: number;
}

export type AccessAuditErrorCode = 'ACCESS_AUDIT_UNAVAILABLE' | 'INVALID_ACCESS_FILTER';
export class AccessAuditError extends WildintelError<AccessAuditErrorCode> {}

/** The canonical form of a record; an auditor recomputes it from `accessLog` and the digest from these. */
export function canonicalAccessRecord(r: AccessRecordInput & { id: number }): string {
  return canonicalJson({
    id: r.id,
    at: r.at.getTime(),
    agency: r.agency,
    analyst: r.analyst,
    jti: r.jti,
    operation: r.operation,
    fields: r.fields,
    variablesSha256: r.variablesSha256,
    returned: r.returned,
    outcome: r.outcome,
  });
}

/**
 * The digest of one agency's hour: base64url SHA-256 over its records' canonical JSON in id
 * order, each followed by a newline.
 */
export function accessDigest(canonicalRecords: readonly string[]): string {
  return sha256Base64url(canonicalRecords.map((c) => `${c}\n`).join(''));
}

const MAX_GROUP = 500;
const COLUMNS = 10;

/**
 * Records requests with group commit: a request's record is written before its answer is
 * released, and the records of requests arriving while one write is in flight go together in
 * the next multi-row INSERT, so auditing costs a fraction of a round trip per request.
 */
export function createAccessRecorder(deps: { db: DataSource; logger: Logger }) {
  let queue: Array<{ record: AccessRecordInput; done: (err?: unknown) => void }> = [];
  let flushing: Promise<void> | undefined;

  const writeGroup = async (group: typeof queue): Promise<void> => {
    const params: unknown[] = [];
    const rows = group.map(({ record: r }, i) => {
      params.push(r.at, Math.floor(r.at.getTime() / HOUR_MS) * HOUR_MS, r.agency, r.analyst, r.jti, r.operation, r.fields, r.variablesSha256, r.returned, r.outcome);
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    await deps.db.query(`INSERT INTO access_records (at, hour, agency, analyst, jti, operation, fields, variables_sha256, returned, outcome) VALUES ${rows.join(', ')}`, params);
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const group = queue.slice(0, MAX_GROUP);
      queue = queue.slice(MAX_GROUP);
      try {
        await writeGroup(group);
        for (const g of group) g.done();
      } catch (err) {
        deps.logger.error({ err }, 'access records could not be written');
        for (const g of group) g.done(err);
      }
    }
    flushing = undefined;
  };

  return {
    /** Resolves once the record is stored; rejects with ACCESS_AUDIT_UNAVAILABLE if it cannot be. */
    record(record: AccessRecordInput): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ record, done: (err) => (err === undefined ? resolve() : reject(new AccessAuditError('ACCESS_AUDIT_UNAVAILABLE', 'the request could not be recorded in the access audit, so it was not answered', { cause: err }))) });
        flushing ??= drain();
      });
    },
    /** Records waiting for a write (the metrics' access-audit queue depth). */
    depth(): number {
      return queue.length;
    },
    /** Waits for records already queued (shutdown). */
    async flush(): Promise<void> {
      while (flushing !== undefined) await flushing;
    },
  };
}

export type AccessRecorder = ReturnType<typeof createAccessRecorder>;

/** A row as the driver returns it (bigint ids come back as strings on pg). */
type RecordRow = AccessRecordInput & { id: string | number };

const RECORD_COLUMNS = `id, at, agency, analyst, jti, operation, fields, variables_sha256 AS "variablesSha256", returned, outcome`;

function toView(row: RecordRow): AccessRecordView {
  const record = { ...row, id: Number(row.id), at: new Date(row.at), returned: Number(row.returned) };
  return { ...record, canonical: canonicalAccessRecord(record) };
}

/**
 * Commits each completed hour of each agency's records to the log, once (hub processes race
 * safely: the digest row is claimed before the entry is appended, in one transaction).
 * Returns the digests written.
 */
export async function digestCompletedHours(deps: { db: DataSource; log: TransparencyLog; clock: Clock }): Promise<AccessDigestView[]> {
  const currentHour = Math.floor(deps.clock.now().getTime() / HOUR_MS) * HOUR_MS;
  const pending: Array<{ agency: string; hour: string | number }> = await deps.db.query(
    `SELECT DISTINCT r.agency, r.hour FROM access_records r
     WHERE r.hour < $1 AND NOT EXISTS (SELECT 1 FROM access_digests d WHERE d.agency = r.agency AND d.hour = r.hour)
     ORDER BY r.hour, r.agency`,
    [currentHour],
  );
  const written: AccessDigestView[] = [];
  for (const { agency, hour } of pending) {
    const digest = await deps.db.transaction(async (tx) => {
      const rows: RecordRow[] = await tx.query(`SELECT ${RECORD_COLUMNS} FROM access_records WHERE agency = $1 AND hour = $2 ORDER BY id`, [agency, hour]);
      const digestSha256 = accessDigest(rows.map((r) => toView(r).canonical));
      const claimed: unknown[] = await tx.query(
        `INSERT INTO access_digests (agency, hour, count, digest_sha256, leaf_index) VALUES ($1, $2, $3, $4, -1) ON CONFLICT DO NOTHING RETURNING agency`,
        [agency, hour, rows.length, digestSha256],
      );
      if (claimed.length === 0) return undefined;
      const { firstIndex } = await deps.log.append(tx, [{ kind: 'access', agency, hour: Number(hour), count: rows.length, digestSha256 }]);
      await tx.query(`UPDATE access_digests SET leaf_index = $3 WHERE agency = $1 AND hour = $2`, [agency, hour, firstIndex]);
      return { agency, hour: new Date(Number(hour)), count: rows.length, digestSha256, leafIndex: firstIndex };
    });
    if (digest !== undefined) written.push(digest);
  }
  return written;
}

export interface AccessLogFilter {
  agency?: string | null | undefined;
  analyst?: string | null | undefined;
  tokenId?: string | null | undefined;
  from?: Date | null | undefined;
  to?: Date | null | undefined;
}

export async function listAccessRecords(db: DataSource, filter: AccessLogFilter, page: { first: number; after?: string | null }): Promise<{ records: AccessRecordView[]; hasNextPage: boolean }> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > 500) throw new AccessAuditError('INVALID_ACCESS_FILTER', 'first must be between 1 and 500');
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.agency) add('agency = ?', filter.agency);
  if (filter.analyst) add('analyst = ?', filter.analyst);
  if (filter.tokenId) add('jti = ?', filter.tokenId);
  if (filter.from) add('at >= ?', filter.from);
  if (filter.to) add('at < ?', filter.to);
  if (page.after) {
    if (!/^[1-9][0-9]{0,15}$/.test(page.after)) throw new AccessAuditError('INVALID_ACCESS_FILTER', 'after must be an endCursor from a previous page');
    add('id < ?', Number(page.after));
  }
  params.push(page.first + 1);
  const rows: RecordRow[] = await db.query(
    `SELECT ${RECORD_COLUMNS} FROM access_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return { records: rows.slice(0, page.first).map(toView), hasNextPage: rows.length > page.first };
}

export async function listAccessDigests(db: DataSource, filter: { agency?: string | null; from?: Date | null; to?: Date | null }): Promise<AccessDigestView[]> {
  const rows: Array<{ agency: string; hour: string | number; count: number; digest_sha256: string; leaf_index: string | number }> = await db.query(
    `SELECT agency, hour, count, digest_sha256, leaf_index FROM access_digests
     WHERE ($1::text IS NULL OR agency = $1) AND ($2::bigint IS NULL OR hour >= $2) AND ($3::bigint IS NULL OR hour < $3)
     ORDER BY hour DESC, agency LIMIT 1000`,
    [filter.agency ?? null, filter.from?.getTime() ?? null, filter.to?.getTime() ?? null],
  );
  return rows.map((r) => ({ agency: r.agency, hour: new Date(Number(r.hour)), count: Number(r.count), digestSha256: r.digest_sha256, leafIndex: Number(r.leaf_index) }));
}
