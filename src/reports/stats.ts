/**
 * The intake's numbers, for node status, node metrics and the review page: reports per day, time
 * to decision, share confirmed, refusals by code, and each volunteer's agreement with moderators
 * (on reports both decided, confirm or reject).
 */
import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

export interface ReportNumbers {
  readonly open: number;
  readonly confirmed: number;
  readonly rejected: number;
  /** confirmed / (confirmed + rejected); null before any decision. */
  readonly shareConfirmed: number | null;
  /** Median seconds from filing to the deciding decision, over the last 30 days; null before any. */
  readonly medianSecondsToDecision: number | null;
  /** Reports filed on each of the last 14 days (UTC), oldest first. */
  readonly perDay: ReadonlyArray<{ readonly day: string; readonly filed: number }>;
  /** Refused reports by code since the node started keeping them. */
  readonly refused: Readonly<Record<string, number>>;
  readonly volunteers: ReadonlyArray<{ readonly name: string; readonly decisions: number; readonly comparedWithModerators: number; readonly agreement: number | null }>;
}

export async function readReportNumbers(db: Queryable, now: Date): Promise<ReportNumbers> {
  const [c]: Array<Record<string, string | number | null>> = await db.query(
    `SELECT count(*) FILTER (WHERE state IN ('pending', 'more-info')) AS open, count(*) FILTER (WHERE state = 'confirmed') AS confirmed, count(*) FILTER (WHERE state = 'rejected') AS rejected,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - filed_at)) FILTER (WHERE decided_at IS NOT NULL AND decided_at > $1::timestamptz - interval '30 days') AS median
     FROM report_reports`,
    [now],
  );
  const confirmed = Number(c?.['confirmed'] ?? 0);
  const rejected = Number(c?.['rejected'] ?? 0);
  const days: Array<{ day: string; filed: string | number }> = await db.query(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, (SELECT count(*) FROM report_reports r WHERE r.filed_at >= d.day AND r.filed_at < d.day + interval '1 day') AS filed
     FROM generate_series(($1::timestamptz AT TIME ZONE 'UTC')::date - 13, ($1::timestamptz AT TIME ZONE 'UTC')::date, interval '1 day') AS d(day) ORDER BY d.day`,
    [now],
  );
  const refusals: Array<{ code: string; count: string | number }> = await db.query(`SELECT code, sum(count) AS count FROM report_refusals GROUP BY code ORDER BY code`);
  const volunteers: Array<{ name: string; decisions: string | number; compared: string | number; agreed: string | number }> = await db.query(
    `SELECT v.reviewer AS name, count(DISTINCT v.report_id) AS decisions,
            count(DISTINCT m.report_id) AS compared, count(DISTINCT m.report_id) FILTER (WHERE m.decision = v.decision) AS agreed
     FROM report_decisions v
     LEFT JOIN report_decisions m ON m.report_id = v.report_id AND m.role = 'moderator' AND m.decision IN ('confirm', 'reject') AND v.decision IN ('confirm', 'reject')
     WHERE v.role = 'volunteer' GROUP BY v.reviewer ORDER BY v.reviewer`,
  );
  const median = c?.['median'];
  return {
    open: Number(c?.['open'] ?? 0),
    confirmed,
    rejected,
    shareConfirmed: confirmed + rejected === 0 ? null : confirmed / (confirmed + rejected),
    medianSecondsToDecision: median === null || median === undefined ? null : Number(median),
    perDay: days.map((d) => ({ day: d.day, filed: Number(d.filed) })),
    refused: Object.fromEntries(refusals.map((r) => [r.code, Number(r.count)])),
    volunteers: volunteers.map((v) => ({ name: v.name, decisions: Number(v.decisions), comparedWithModerators: Number(v.compared), agreement: Number(v.compared) === 0 ? null : Number(v.agreed) / Number(v.compared) })),
  };
}

/**
 * Purges what a decided report holds past retention (description, photos, contact), keeping the
 * row's state, times and decisions for the numbers; and open reports never decided are purged
 * the same way after twice the retention.
 */
export async function purgeReports(db: Queryable, now: Date, retentionDays: number): Promise<number> {
  const rows: unknown[] = await db.query(
    `UPDATE report_reports SET description = '', contact_nonce = NULL, contact_ciphertext = NULL, photo_bytes = 0, purged_at = $1
     WHERE purged_at IS NULL AND ((decided_at IS NOT NULL AND decided_at < $1::timestamptz - make_interval(days => $2)) OR filed_at < $1::timestamptz - make_interval(days => $2 * 2))
     RETURNING report_id`,
    [now, retentionDays],
  );
  if (rows.length > 0) await db.query(`DELETE FROM report_photos p USING report_reports r WHERE p.report_id = r.report_id AND r.purged_at IS NOT NULL`);
  return rows.length;
}
