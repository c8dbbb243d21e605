/**
 * The review queue and decisions. One moderator confirmation, or two volunteer confirmations,
 * confirm a report: its photos (and a keyword a reviewer names) become observations through the
 * node's one observation path (anonymizer, guards, vault, outbox). A moderator's rejection, or
 * two volunteers', rejects it; anyone may ask the reporter for more. Every decision is kept with
 * who made it and in which role.
 */
import { DEFAULT_TLP, type Commodity } from '../indicators/index.js';
import { controlCharacterReason, createSemaphore, isWildintelError } from '../kernel/index.js';
import type { Observation } from '../node/index.js';
import type { ReportDeps } from './deps.js';
import { ReportError } from './errors.js';
import type { Session } from './reviewers.js';
import type { ScorePart } from './score.js';

export type Decision = 'confirm' | 'reject' | 'more-info';
type ReportState = 'pending' | 'more-info' | 'confirmed' | 'rejected';

export interface QueuedReport {
  readonly reportId: string;
  readonly state: ReportState;
  readonly filedAt: string;
  readonly listing: string;
  readonly commodity: Commodity;
  readonly description: string;
  readonly photos: number;
  readonly score: number;
  readonly scoreParts: readonly ScorePart[];
  readonly decisions: ReadonlyArray<{ readonly reviewer: string; readonly role: string; readonly decision: Decision; readonly note: string | null; readonly decidedAt: string }>;
}

export interface DecisionResult {
  readonly reportId: string;
  readonly state: ReportState;
  /** Indicator ids queued for the hub when this decision confirmed the report. */
  readonly published: readonly string[];
}

export interface ReviewDesk {
  queue(limit?: number): Promise<QueuedReport[]>;
  photo(reportId: string, position: number): Promise<Uint8Array | undefined>;
  decide(who: Session, reportId: string, body: unknown): Promise<DecisionResult>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createReviewDesk(deps: ReportDeps): ReviewDesk {
  // Decisions one at a time: two confirmations arriving together publish once.
  const one = createSemaphore(1);
  return {
    async queue(limit = 100) {
      const rows: Array<{ report_id: string; state: ReportState; filed_at: Date; listing: string; commodity: Commodity; description: string; photos: string | number; score: number; score_parts: ScorePart[] | string }> = await deps.db.query(
        `SELECT r.report_id, r.state, r.filed_at, r.listing, r.commodity, r.description, r.score, r.score_parts, (SELECT count(*) FROM report_photos p WHERE p.report_id = r.report_id) AS photos
         FROM report_reports r WHERE r.state IN ('pending', 'more-info') ORDER BY r.score DESC, r.filed_at LIMIT $1`,
        [Math.min(Math.max(1, limit), 500)],
      );
      const decisions = await decisionsOf(deps, rows.map((r) => r.report_id));
      return rows.map((r) => ({
        reportId: r.report_id,
        state: r.state,
        filedAt: new Date(r.filed_at).toISOString(),
        listing: r.listing,
        commodity: r.commodity,
        description: r.description,
        photos: Number(r.photos),
        score: r.score,
        scoreParts: typeof r.score_parts === 'string' ? (JSON.parse(r.score_parts) as ScorePart[]) : r.score_parts,
        decisions: decisions.get(r.report_id) ?? [],
      }));
    },
    async photo(reportId, position) {
      if (!UUID.test(reportId) || !Number.isInteger(position) || position < 0 || position > 16) return undefined;
      const rows: Array<{ bytes: Uint8Array }> = await deps.db.query(`SELECT bytes FROM report_photos WHERE report_id = $1 AND position = $2`, [reportId, position]);
      return rows[0]?.bytes;
    },
    decide: (who, reportId, body) => one.run(() => decide(deps, who, reportId, body)),
  };
}

async function decisionsOf(deps: ReportDeps, ids: readonly string[]): Promise<Map<string, QueuedReport['decisions'][number][]>> {
  const map = new Map<string, QueuedReport['decisions'][number][]>();
  if (ids.length === 0) return map;
  const rows: Array<{ report_id: string; reviewer: string; role: string; decision: Decision; note: string | null; decided_at: Date }> = await deps.db.query(
    `SELECT report_id, reviewer, role, decision, note, decided_at FROM report_decisions WHERE report_id = ANY($1::uuid[]) ORDER BY decision_id`,
    [ids],
  );
  for (const r of rows) map.set(r.report_id, [...(map.get(r.report_id) ?? []), { reviewer: r.reviewer, role: r.role, decision: r.decision, note: r.note, decidedAt: new Date(r.decided_at).toISOString() }]);
  return map;
}

interface DecisionInput {
  readonly decision: Decision;
  readonly note?: string;
  /** A phrase of the listing a reviewer judged worth publishing as a KEYWORD (the guards still apply). */
  readonly keyword?: string;
}

function parseDecision(body: unknown): DecisionInput {
  const v = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const unknown = Object.keys(v).find((k) => !['decision', 'note', 'keyword'].includes(k));
  if (unknown !== undefined) throw invalid('decision', 'has an unknown field');
  const decision = v['decision'];
  if (decision !== 'confirm' && decision !== 'reject' && decision !== 'more-info') throw invalid('decision', 'must be confirm, reject or more-info');
  const text = (field: 'note' | 'keyword', max: number, shape: 'line' | 'multiline'): string | undefined => {
    const value = v[field];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || value.length > max) throw invalid(field, `must be text of at most ${max} characters`);
    const reason = controlCharacterReason(value, shape);
    if (reason !== undefined) throw invalid(field, reason);
    return value;
  };
  const note = text('note', 500, 'multiline');
  const keyword = text('keyword', 200, 'line');
  if (decision === 'more-info' && note === undefined) throw invalid('note', 'is required to ask the reporter for more (the reporter reads it)');
  return { decision, ...(note === undefined ? {} : { note }), ...(keyword === undefined ? {} : { keyword }) };
}

function invalid(field: string, reason: string): ReportError {
  return new ReportError('INVALID_DECISION', `${field} ${reason}`, { details: { field } });
}

async function decide(deps: ReportDeps, who: Session, reportId: string, body: unknown): Promise<DecisionResult> {
  const input = parseDecision(body);
  if (!UUID.test(reportId)) throw new ReportError('UNKNOWN_REPORT', 'no report has that id');
  const [report]: Array<{ state: ReportState; commodity: Commodity; listing: string; filed_at: Date }> = await deps.db.query(`SELECT state, commodity, listing, filed_at FROM report_reports WHERE report_id = $1`, [reportId]);
  if (report === undefined) throw new ReportError('UNKNOWN_REPORT', 'no report has that id');
  if (report.state === 'confirmed' || report.state === 'rejected') throw new ReportError('REPORT_DECIDED', `the report was ${report.state} already`, { details: { state: report.state } });
  const earlier: Array<{ reviewer: string; role: string; decision: Decision; note: string | null }> = await deps.db.query(`SELECT reviewer, role, decision, note FROM report_decisions WHERE report_id = $1`, [reportId]);
  // A reviewer's confirm or reject is final; asking the reporter for more is not a verdict.
  if (earlier.some((d) => d.reviewer === who.name && d.decision !== 'more-info')) throw new ReportError('REPORT_DECIDED', 'you decided on this report already', { details: { state: report.state } });
  const state = nextState(report.state, [...earlier, { role: who.role, decision: input.decision }]);
  const published = state === 'confirmed' ? await publish(deps, reportId, report, who, input) : [];
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.query(`INSERT INTO report_decisions (report_id, reviewer, role, decision, note, decided_at) VALUES ($1, $2, $3, $4, $5, $6)`, [reportId, who.name, who.role, input.decision, input.note ?? null, now]);
    const final = state === 'confirmed' || state === 'rejected';
    await tx.query(`UPDATE report_reports SET state = $2, decided_at = CASE WHEN $3 THEN $4::timestamptz ELSE decided_at END, published = COALESCE($5::jsonb, published) WHERE report_id = $1`, [
      reportId,
      state,
      final,
      now,
      state === 'confirmed' ? JSON.stringify(published) : null,
    ]);
  });
  return { reportId, state, published };
}

/** The rule: one moderator, or two volunteers, decide; a request for more reopens nothing decided. */
export function nextState(current: ReportState, decisions: ReadonlyArray<{ role: string; decision: Decision }>): ReportState {
  const count = (role: string, decision: Decision): number => decisions.filter((d) => d.role === role && d.decision === decision).length;
  if (count('moderator', 'confirm') > 0 || count('volunteer', 'confirm') >= 2) return 'confirmed';
  if (count('moderator', 'reject') > 0 || count('volunteer', 'reject') >= 2) return 'rejected';
  const last = decisions[decisions.length - 1];
  return last?.decision === 'more-info' ? 'more-info' : current;
}

async function publish(
  deps: ReportDeps,
  reportId: string,
  report: { commodity: Commodity; listing: string; filed_at: Date },
  who: Session,
  input: DecisionInput,
): Promise<string[]> {
  const photos: Array<{ bytes: Uint8Array }> = await deps.db.query(`SELECT bytes FROM report_photos WHERE report_id = $1 ORDER BY position`, [reportId]);
  // A moderator's word weighs more than two volunteers' agreement.
  const common = { commodity: report.commodity, confidence: who.role === 'moderator' ? 80 : 60, tlp: DEFAULT_TLP, observedAt: new Date(report.filed_at).toISOString(), listing: report.listing, context: { platformSection: 'public-report' } };
  const observations: Observation[] = photos.map((p) => ({ ...common, kind: 'image', image: { kind: 'bytes', bytes: new Uint8Array(p.bytes) } }));
  if (input.keyword !== undefined) observations.push({ ...common, kind: 'keyword', text: input.keyword });
  if (observations.length === 0) return [];
  try {
    const made = await deps.publish(observations);
    return made.flat().map((m) => m.id);
  } catch (cause) {
    // The node's checks (guards, image quality, observedAt range) refused: nothing was queued, and nothing is recorded.
    if (isWildintelError(cause)) throw new ReportError('PUBLISH_REFUSED', `the node refused to publish this report: ${cause.message}`, { cause, details: { reason: cause.code } });
    throw cause;
  }
}
