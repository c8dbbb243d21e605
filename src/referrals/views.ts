/**
 * Reading referrals: an agency reads only those routed to it, a member only those it filed. A
 * referral another agency received is NOT_FOUND, exactly like one that does not exist.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { ReferralError } from './errors.js';
import { isOverdue, overdueCutoff } from './overdue.js';
import { parseReferralPayload, type ReferralPayload, type ReferralResult, type ReferralStep } from './records.js';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export interface ReferralStepView {
  readonly step: ReferralStep;
  readonly by: string;
  readonly record: string;
  readonly recordSha256: string;
  readonly result: ReferralResult | null;
  readonly leafIndex: number;
  readonly at: Date;
}

export interface ReferralView extends Omit<ReferralPayload, 'v' | 'evidence'> {
  readonly evidence: string | null;
  readonly state: ReferralStep;
  readonly filedAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly overdue: boolean;
  readonly declineReason: string | null;
  readonly result: ReferralResult | null;
  readonly closeNote: string | null;
  readonly steps: readonly ReferralStepView[];
}

interface Row {
  referral_id: string;
  record: string;
  state: ReferralStep;
  filed_at: Date;
  acknowledged_at: Date | null;
}

interface StepRow {
  referral_id: string;
  step: ReferralStep;
  by_party: string;
  record: string;
  record_sha256: string;
  result: ReferralResult | null;
  leaf_index: string | number;
  created_at: Date;
}

const COLUMNS = 'referral_id, record, state, filed_at, acknowledged_at';
const STEP_ORDER = ['filed', 'acknowledged', 'accepted', 'declined', 'closed'];

/** The payload of a stored record, verified when it was filed. */
function payloadOf(jws: string): ReferralPayload {
  return parseReferralPayload(JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')));
}

async function toViews(db: Queryable, rows: Row[], now: Date, ackWithinMs: number): Promise<ReferralView[]> {
  if (rows.length === 0) return [];
  const steps: StepRow[] = await db.query(`SELECT referral_id, step, by_party, record, record_sha256, result, leaf_index, created_at FROM referral_steps WHERE referral_id = ANY($1::uuid[])`, [rows.map((r) => r.referral_id)]);
  return rows.map((row) => {
    const { v: _v, evidence, ...payload } = payloadOf(row.record);
    const own = steps
      .filter((s) => s.referral_id === row.referral_id)
      .sort((a, b) => STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step))
      .map((s) => ({ step: s.step, by: s.by_party, record: s.record, recordSha256: s.record_sha256, result: s.result, leafIndex: Number(s.leaf_index), at: new Date(s.created_at) }));
    const hubRecord = (step: ReferralStep): { reason?: string; note?: string } | undefined => {
      const found = own.find((s) => s.step === step);
      return found === undefined ? undefined : (JSON.parse(found.record) as { reason?: string; note?: string });
    };
    const facts = { filedAt: new Date(row.filed_at), acknowledgedAt: row.acknowledged_at === null ? null : new Date(row.acknowledged_at) };
    return {
      ...payload,
      evidence: evidence ?? null,
      state: row.state,
      ...facts,
      overdue: isOverdue(facts, now, ackWithinMs),
      declineReason: hubRecord('declined')?.reason ?? null,
      result: own.find((s) => s.step === 'closed')?.result ?? null,
      closeNote: hubRecord('closed')?.note ?? null,
      steps: own,
    };
  });
}

export interface InboxFilter {
  readonly state?: ReferralStep | null | undefined;
  readonly overdue?: boolean | null | undefined;
}

export const MAX_REFERRAL_PAGE = 200;

/** An agency's inbox, newest first; `after` is the id of the last referral of the page before. */
export async function inbox(db: Queryable, agency: string, filter: InboxFilter, page: { first: number; after?: string | null | undefined }, now: Date, ackWithinMs: number): Promise<{ referrals: ReferralView[]; hasNextPage: boolean }> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_REFERRAL_PAGE) throw new ReferralError('INVALID_REFERRAL', `first must be 1–${MAX_REFERRAL_PAGE}`, { details: { field: 'first' } });
  const params: unknown[] = [agency];
  const where = ['agency = $1'];
  if (filter.state) where.push(`state = $${params.push(filter.state)}`);
  if (filter.overdue === true) where.push(`acknowledged_at IS NULL AND filed_at <= $${params.push(overdueCutoff(now, ackWithinMs))}`);
  if (filter.overdue === false) where.push(`NOT (acknowledged_at IS NULL AND filed_at <= $${params.push(overdueCutoff(now, ackWithinMs))})`);
  if (page.after) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(page.after)) throw new ReferralError('INVALID_REFERRAL', 'after must be a referral id from the page before', { details: { field: 'after' } });
    where.push(`(filed_at, referral_id) < (SELECT filed_at, referral_id FROM referrals WHERE referral_id = $${params.push(page.after)} AND agency = $1)`);
  }
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM referrals WHERE ${where.join(' AND ')} ORDER BY filed_at DESC, referral_id DESC LIMIT ${page.first + 1}`, params);
  return { referrals: await toViews(db, rows.slice(0, page.first), now, ackWithinMs), hasNextPage: rows.length > page.first };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One referral, as the party it concerns reads it. @throws ReferralError `NOT_FOUND` */
export async function referralFor(db: Queryable, party: { agency: string } | { member: string }, referralId: string, now: Date, ackWithinMs: number): Promise<ReferralView> {
  const [column, value] = 'agency' in party ? ['agency', party.agency] : ['member', party.member];
  const rows: Row[] = UUID.test(referralId) ? await db.query(`SELECT ${COLUMNS} FROM referrals WHERE referral_id = $1 AND ${column} = $2`, [referralId, value]) : [];
  if (rows[0] === undefined) throw new ReferralError('NOT_FOUND', `no referral ${referralId.slice(0, 64)} ${'agency' in party ? 'routed to agency' : 'filed by member'} ${value}`, { details: { field: 'id' } });
  return (await toViews(db, rows, now, ackWithinMs))[0]!;
}

/** A member's referrals, newest first (every agency's copy of each case). */
export async function memberReferrals(db: Queryable, member: string, first: number, now: Date, ackWithinMs: number): Promise<ReferralView[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_REFERRAL_PAGE) throw new ReferralError('INVALID_REFERRAL', `first must be 1–${MAX_REFERRAL_PAGE}`, { details: { field: 'first' } });
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM referrals WHERE member = $1 ORDER BY filed_at DESC, referral_id DESC LIMIT ${first}`, [member]);
  return toViews(db, rows, now, ackWithinMs);
}

export interface ReferralCounts {
  readonly filed: number;
  readonly unacknowledged: number;
  readonly overdue: number;
  readonly accepted: number;
  readonly declined: number;
  readonly closed: number;
}

/** Counts for one agency (or the whole hub when `agency` is null: the metric). */
export async function referralCounts(db: Queryable, agency: string | null, now: Date, ackWithinMs: number): Promise<ReferralCounts> {
  const rows: Array<Record<keyof ReferralCounts, number>> = await db.query(
    `SELECT count(*)::int AS filed,
            count(*) FILTER (WHERE acknowledged_at IS NULL)::int AS unacknowledged,
            count(*) FILTER (WHERE acknowledged_at IS NULL AND filed_at <= $2)::int AS overdue,
            count(*) FILTER (WHERE state = 'accepted' OR (state = 'closed' AND EXISTS (SELECT 1 FROM referral_steps s WHERE s.referral_id = referrals.referral_id AND s.step = 'accepted')))::int AS accepted,
            count(*) FILTER (WHERE state = 'declined')::int AS declined,
            count(*) FILTER (WHERE state = 'closed')::int AS closed
       FROM referrals WHERE ($1::text IS NULL OR agency = $1)`,
    [agency, overdueCutoff(now, ackWithinMs)],
  );
  return rows[0]!;
}
