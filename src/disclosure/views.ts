/**
 * Requests as the entitled read them: the requesting agency its own (and, once per token, the
 * ciphertext of each answer, which is a logged `retrieved` step), an auditor (audit:read) all of
 * them with every record, so that each can be checked against the log.
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import type { TransparencyLog, DisclosureStep } from '../tlog/index.js';
import { agencyKeysById, type AgencyKeyRegistration } from './agency-key-store.js';
import { DisclosureError } from './errors.js';
import type { Filer } from './filing.js';
import { jwsPayload, parseRoutedRecord, recordSha256, type DisclosureRequestPayload, type RetrievedRecord } from './records.js';

export interface StepView {
  readonly step: DisclosureStep;
  readonly member: string | null;
  /** The record exactly as logged: a compact JWS, or RFC 8785 JSON for the hub's own. */
  readonly record: string;
  readonly recordSha256: string;
  readonly leafIndex: number;
  readonly at: Date;
}

export interface RequestView {
  readonly requestId: string;
  readonly agency: string;
  readonly analyst: string;
  readonly tokenId: string;
  readonly caseId: string;
  readonly indicatorId: string;
  readonly fingerprint: string;
  readonly officer: string;
  readonly legalBasis: { readonly reference: string; readonly text: string };
  readonly filedAt: Date;
  readonly expiresAt: Date;
  readonly routes: ReadonlyArray<{ readonly member: string; readonly state: string }>;
  readonly steps: readonly StepView[];
  readonly agencyKeys: AgencyKeyRegistration;
}

export interface RequestFilter {
  readonly agency?: string | null | undefined;
  readonly caseId?: string | null | undefined;
  readonly from?: Date | null | undefined;
  readonly to?: Date | null | undefined;
}

interface RequestRow {
  request_id: string;
  agency: string;
  analyst: string;
  token_id: string;
  case_id: string;
  indicator_id: string;
  agency_keys_id: string | number;
  request_jws: string;
  filed_at: Date;
  expires_at: Date;
}

type StepRow = { request_id: string; step: DisclosureStep; member: string | null; record: string; record_sha256: string; leaf_index: string | number; created_at: Date };

export const MAX_REQUEST_PAGE = 200;

/** A page of requests (newest first) matching `filter`, with their routes and every step. */
export async function listRequests(db: DataSource, filter: RequestFilter, page: { first: number; after?: string | null | undefined }): Promise<{ requests: RequestView[]; hasNextPage: boolean }> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_REQUEST_PAGE) throw new DisclosureError('INVALID_DISCLOSURE', `first must be between 1 and ${MAX_REQUEST_PAGE}`, { details: { field: 'first' } });
  const at = page.after ? decodeAfter(page.after) : undefined;
  const rows: RequestRow[] = await db.query(
    `SELECT request_id::text, agency, analyst, token_id, case_id, indicator_id, agency_keys_id, request_jws, filed_at, expires_at FROM disclosure_requests
     WHERE ($1::text IS NULL OR agency = $1) AND ($2::text IS NULL OR case_id = $2) AND ($3::timestamptz IS NULL OR filed_at >= $3) AND ($4::timestamptz IS NULL OR filed_at < $4)
       AND ($5::timestamptz IS NULL OR (filed_at, request_id) < ($5, $6::uuid))
     ORDER BY filed_at DESC, request_id DESC LIMIT $7`,
    [filter.agency ?? null, filter.caseId ?? null, filter.from ?? null, filter.to ?? null, at === undefined ? null : new Date(at.filedAt), at?.requestId ?? null, page.first + 1],
  );
  const requests = await toViews(db, rows.slice(0, page.first));
  return { requests, hasNextPage: rows.length > page.first };
}

export function cursorOf(view: RequestView): string {
  return Buffer.from(`v1:${view.filedAt.getTime()}:${view.requestId}`).toString('base64url');
}

function decodeAfter(cursor: string): { filedAt: number; requestId: string } {
  const match = /^v1:([0-9]{1,16}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new DisclosureError('INVALID_DISCLOSURE', 'after must be an endCursor from a previous page', { details: { field: 'after' } });
  return { filedAt: Number(match[1]), requestId: match[2]! };
}

/** One request of `agency`; NOT_FOUND for another agency's (the same answer as for none). */
export async function requestOf(db: DataSource, agency: string, requestId: string): Promise<RequestView> {
  const rows: RequestRow[] = /^[0-9a-f-]{36}$/.test(requestId)
    ? await db.query(
        `SELECT request_id::text, agency, analyst, token_id, case_id, indicator_id, agency_keys_id, request_jws, filed_at, expires_at FROM disclosure_requests WHERE request_id = $1::uuid AND agency = $2`,
        [requestId, agency],
      )
    : [];
  const [view] = await toViews(db, rows);
  if (view === undefined) throw new DisclosureError('NOT_FOUND', `no request ${requestId} of agency ${agency}`);
  return view;
}

async function toViews(db: DataSource, rows: readonly RequestRow[]): Promise<RequestView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.request_id);
  const steps: StepRow[] = await db.query(`SELECT request_id::text, step, member, record, record_sha256, leaf_index, created_at FROM disclosure_steps WHERE request_id = ANY($1::uuid[]) ORDER BY id`, [ids]);
  const routes: Array<{ request_id: string; member: string; state: string }> = await db.query(`SELECT request_id::text, member, state FROM disclosure_routes WHERE request_id = ANY($1::uuid[]) ORDER BY member`, [ids]);
  const keys = await agencyKeysById(db, rows.map((r) => Number(r.agency_keys_id)));
  return rows.map((r) => {
    const payload = jwsPayload(r.request_jws) as DisclosureRequestPayload;
    const mine = steps.filter((s) => s.request_id === r.request_id);
    const routed = parseRoutedRecord(mine.find((s) => s.step === 'routed')!.record);
    return {
      requestId: r.request_id,
      agency: r.agency,
      analyst: r.analyst,
      tokenId: r.token_id,
      caseId: r.case_id,
      indicatorId: r.indicator_id,
      fingerprint: routed.fingerprint,
      officer: payload.officer,
      legalBasis: payload.legalBasis,
      filedAt: new Date(r.filed_at),
      expiresAt: new Date(r.expires_at),
      routes: routes.filter((x) => x.request_id === r.request_id).map((x) => ({ member: x.member, state: x.state })),
      steps: mine.map((s) => ({ step: s.step, member: s.member, record: s.record, recordSha256: s.record_sha256, leafIndex: Number(s.leaf_index), at: new Date(s.created_at) })),
      agencyKeys: keys.get(Number(r.agency_keys_id))!,
    };
  });
}

export interface AnswerView {
  readonly requestId: string;
  readonly member: string;
  /** The member's signed `answered` record, which carries the JWE. */
  readonly record: string;
  readonly ciphertext: string;
  readonly leafIndex: number;
  readonly answeredAt: Date;
}

/**
 * The answers to one of the agency's requests. Handing over a ciphertext is itself a step: the
 * first time a token reads a member's answer, a `retrieved` record (which token, which answer) is
 * stored and logged before the answer is returned.
 */
export async function retrieveAnswers(deps: { db: DataSource; log: TransparencyLog; clock: Clock }, filer: Filer, requestId: string): Promise<AnswerView[]> {
  const request = await requestOf(deps.db, filer.agency, requestId);
  const answers = request.steps.filter((s) => s.step === 'answered');
  for (const answer of answers) await logRetrieval(deps, filer, requestId, answer);
  return answers.map((a) => ({ requestId, member: a.member!, record: a.record, ciphertext: String((jwsPayload(a.record) as { answer: string }).answer), leafIndex: a.leafIndex, answeredAt: a.at }));
}

async function logRetrieval(deps: { db: DataSource; log: TransparencyLog; clock: Clock }, filer: Filer, requestId: string, answer: StepView): Promise<void> {
  const now = deps.clock.now();
  const retrieved: RetrievedRecord = { v: 1, step: 'retrieved', requestId, agency: filer.agency, analyst: filer.analyst, tokenId: filer.tokenId, member: answer.member!, answerSha256: answer.recordSha256, at: now.toISOString() };
  const record = canonicalJson(retrieved);
  await deps.db.transaction(async (tx) => {
    // Claimed first, so two concurrent reads by one token log one retrieval.
    const claimed: unknown[] = await tx.query(
      `INSERT INTO disclosure_steps (request_id, step, member, token_id, record, record_sha256, leaf_index, created_at) VALUES ($1, 'retrieved', $2, $3, $4, $5, -1, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [requestId, answer.member, filer.tokenId, record, recordSha256(record), now],
    );
    if (claimed.length === 0) return;
    const { firstIndex } = await deps.log.append(tx, [{ kind: 'disclosure', step: 'retrieved', requestId, recordSha256: recordSha256(record) }]);
    await tx.query(`UPDATE disclosure_steps SET leaf_index = $2 WHERE record_sha256 = $1`, [recordSha256(record), firstIndex]);
  });
}

export interface VolumeRow {
  readonly agency: string;
  readonly requests: number;
  readonly membersAsked: number;
  readonly answered: number;
  readonly declined: number;
  readonly open: number;
  readonly expired: number;
}

/** Requests per agency filed in [from, to), and how each member's part ended: what auditors watch. */
export async function disclosureVolume(db: DataSource, now: Date, range: { from?: Date | null | undefined; to?: Date | null | undefined }): Promise<VolumeRow[]> {
  const rows: Array<Record<string, string | number>> = await db.query(
    `SELECT r.agency, count(DISTINCT r.request_id) AS requests, count(*) AS asked,
            count(*) FILTER (WHERE t.state = 'answered') AS answered, count(*) FILTER (WHERE t.state = 'declined') AS declined,
            count(*) FILTER (WHERE t.state IN ('routed', 'delivered') AND r.expires_at > $3) AS open,
            count(*) FILTER (WHERE t.state IN ('routed', 'delivered') AND r.expires_at <= $3) AS expired
     FROM disclosure_requests r JOIN disclosure_routes t ON t.request_id = r.request_id
     WHERE ($1::timestamptz IS NULL OR r.filed_at >= $1) AND ($2::timestamptz IS NULL OR r.filed_at < $2)
     GROUP BY r.agency ORDER BY r.agency`,
    [range.from ?? null, range.to ?? null, now],
  );
  return rows.map((r) => ({ agency: String(r['agency']), requests: Number(r['requests']), membersAsked: Number(r['asked']), answered: Number(r['answered']), declined: Number(r['declined']), open: Number(r['open']), expired: Number(r['expired']) }));
}
