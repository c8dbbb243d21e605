/**
 * The member operator's decisions on disclosure requests (`wildintel node requests approve|decline`,
 * through the node's Unix socket only), and what the platform's legal team sees of them
 * (`GET /v1/requests`). Approving reads the raw identifier from the vault, encrypts it to the
 * requesting agency's key and signs the answer; the identifier is never stored or logged in clear.
 */
import {
  DECLINE_REASONS,
  encryptAnswer,
  encryptionKeyOf,
  jwsPayload,
  parseAgencyKeySet,
  type DeclineReason,
  type DisclosureRequestPayload,
} from '../disclosure/index.js';
import { sendQueued, stepRecord, type DisclosureDeskDeps } from './disclosure-desk.js';
import { NodeError } from './errors.js';
import { controlCharacterReason, type TextShape } from '../kernel/index.js';
import { revealPseudonym } from './vault.js';

interface DisclosureRow {
  request_id: string;
  state: string;
  agency: string;
  case_id: string | null;
  fingerprint: string | null;
  request_jws: string;
  agency_keys: string;
  filed_leaf: string | number;
  expires_at: Date | null;
  received_at: Date;
  in_vault: boolean | null;
  problem: string | null;
  decision: Record<string, unknown> | null;
}

/** A request as the member's legal team and operator see it. */
export interface NodeDisclosureView {
  readonly requestId: string;
  readonly state: string;
  readonly agency: string;
  readonly caseId: string | null;
  readonly officer: string | null;
  readonly analyst: string | null;
  readonly legalBasis: { readonly reference: string; readonly text: string } | null;
  readonly fingerprint: string | null;
  /** Whether the vault holds the fingerprint (false: an approval is answered NOT_REPORTED). */
  readonly inVault: boolean | null;
  readonly filedLeafIndex: number;
  readonly expiresAt: string | null;
  readonly receivedAt: string;
  readonly problem: string | null;
  readonly decision: Readonly<Record<string, unknown>> | null;
  readonly steps: ReadonlyArray<{ readonly step: string; readonly state: string; readonly leafIndex: number | null; readonly note: string | null }>;
}

const COLUMNS = 'request_id::text, state, agency, case_id, fingerprint, request_jws, agency_keys, filed_leaf, expires_at, received_at, in_vault, problem, decision';

export async function listDisclosures(db: DisclosureDeskDeps['db'], filter: { state?: string | undefined } = {}): Promise<NodeDisclosureView[]> {
  const rows: DisclosureRow[] = await db.query(`SELECT ${COLUMNS} FROM node_disclosures WHERE ($1::text IS NULL OR state = $1) ORDER BY received_at DESC LIMIT 500`, [filter.state ?? null]);
  const steps: Array<{ request_id: string; step: string; state: string; leaf_index: string | number | null; last_error: string | null }> = await db.query(
    `SELECT request_id::text, step, state, leaf_index, last_error FROM node_disclosure_outbox WHERE request_id = ANY($1::uuid[]) ORDER BY created_at`,
    [rows.map((r) => r.request_id)],
  );
  return rows.map((r) => {
    const payload = r.state === 'invalid' || r.state === 'waiting' ? undefined : (jwsPayload(r.request_jws) as DisclosureRequestPayload);
    return {
      requestId: r.request_id,
      state: r.state,
      agency: r.agency,
      caseId: r.case_id,
      officer: payload?.officer ?? null,
      analyst: payload?.analyst ?? null,
      legalBasis: payload?.legalBasis ?? null,
      fingerprint: r.fingerprint,
      inVault: r.in_vault,
      filedLeafIndex: Number(r.filed_leaf),
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
      receivedAt: new Date(r.received_at).toISOString(),
      problem: r.problem,
      decision: r.decision,
      steps: steps.filter((s) => s.request_id === r.request_id).map((s) => ({ step: s.step, state: s.state, leafIndex: s.leaf_index === null ? null : Number(s.leaf_index), note: s.last_error })),
    };
  });
}

async function pendingRow(deps: DisclosureDeskDeps, requestId: string): Promise<DisclosureRow> {
  const rows: DisclosureRow[] = /^[0-9a-f-]{36}$/.test(requestId) ? await deps.db.query(`SELECT ${COLUMNS} FROM node_disclosures WHERE request_id = $1::uuid`, [requestId]) : [];
  const row = rows[0];
  if (row === undefined) throw new NodeError('UNKNOWN_REQUEST', `no disclosure request ${requestId} was routed to this node`);
  if (row.state === 'pending' && row.expires_at !== null && new Date(row.expires_at).getTime() <= deps.clock.now().getTime()) {
    await deps.db.query(`UPDATE node_disclosures SET state = 'expired' WHERE request_id = $1`, [requestId]);
    throw new NodeError('REQUEST_EXPIRED', `request ${requestId} expired at ${new Date(row.expires_at).toISOString()}: it can no longer be answered`);
  }
  if (row.state !== 'pending') throw new NodeError('REQUEST_NOT_PENDING', `request ${requestId} is ${row.state}: only a pending request can be decided`, { details: { state: row.state } });
  return row;
}

function textInput(value: unknown, field: string, max: number, shape: TextShape = 'line'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new NodeError('INVALID_DECISION', `${field} must be text of at most ${max} characters`, { details: { field } });
  const reason = controlCharacterReason(value, shape);
  if (reason !== undefined) throw new NodeError('INVALID_DECISION', `${field} ${reason}`, { details: { field } });
  return value.trim() === '' ? undefined : value.trim();
}

export interface DecisionResult {
  readonly requestId: string;
  readonly state: 'answered' | 'declined';
  readonly reason?: DeclineReason;
  /** Where the hub logged it, when it could be sent at once (otherwise the outbox retries). */
  readonly leafIndex: number | null;
}

async function queueDecision(deps: DisclosureDeskDeps, row: DisclosureRow, state: 'answered' | 'declined', record: string, decision: Record<string, unknown>): Promise<DecisionResult> {
  await deps.db.transaction(async (tx) => {
    await tx.query(`INSERT INTO node_disclosure_outbox (request_id, step, record, state, created_at) VALUES ($1, $2, $3, 'queued', $4)`, [row.request_id, state, record, deps.clock.now()]);
    await tx.query(`UPDATE node_disclosures SET state = $2, decision = $3::jsonb WHERE request_id = $1`, [row.request_id, state, JSON.stringify(decision)]);
  });
  await sendQueued(deps);
  const [sent]: Array<{ leaf_index: string | number | null }> = await deps.db.query(`SELECT leaf_index FROM node_disclosure_outbox WHERE request_id = $1 AND step = $2`, [row.request_id, state]);
  return { requestId: row.request_id, state, ...(typeof decision['reason'] === 'string' ? { reason: decision['reason'] as DeclineReason } : {}), leafIndex: sent?.leaf_index == null ? null : Number(sent.leaf_index) };
}

/** Declines with a reason from the closed set (docs/disclosure.md); the note goes to the agency and auditors. */
export async function declineRequest(deps: DisclosureDeskDeps, requestId: string, input: { reason?: unknown; note?: unknown; by?: unknown }): Promise<DecisionResult> {
  const row = await pendingRow(deps, requestId);
  if (typeof input.reason !== 'string' || !(DECLINE_REASONS as readonly string[]).includes(input.reason)) {
    throw new NodeError('INVALID_DECISION', `reason must be one of ${DECLINE_REASONS.join(', ')}`, { details: { field: 'reason' } });
  }
  const reason = input.reason as DeclineReason;
  const note = textInput(input.note, 'note', 500, 'multiline');
  const record = await stepRecord(deps, row.request_jws, row.request_id, { step: 'declined', reason, ...(note === undefined ? {} : { note }) });
  return queueDecision(deps, row, 'declined', record, { kind: 'declined', reason, ...(note === undefined ? {} : { note }), by: textInput(input.by, 'by', 128) ?? 'operator', at: deps.clock.now().toISOString() });
}

/**
 * Approves: the vault's raw identifier for the fingerprint, encrypted to the agency. A fingerprint
 * the vault does not hold has nothing to disclose: the approval is answered as declined, NOT_REPORTED.
 */
export async function approveRequest(deps: DisclosureDeskDeps, requestId: string, input: { note?: unknown; by?: unknown }): Promise<DecisionResult> {
  const row = await pendingRow(deps, requestId);
  const note = textInput(input.note, 'note', 500, 'multiline');
  const by = textInput(input.by, 'by', 128) ?? 'operator';
  const fingerprint = row.fingerprint!;
  const identifier = await revealPseudonym(deps.db, deps.vault, fingerprint);
  if (identifier === undefined) {
    const record = await stepRecord(deps, row.request_jws, row.request_id, { step: 'declined', reason: 'NOT_REPORTED' });
    return queueDecision(deps, row, 'declined', record, { kind: 'approved', reason: 'NOT_REPORTED', ...(note === undefined ? {} : { note }), by, at: deps.clock.now().toISOString() });
  }
  const [seen]: Array<{ first_seen_at: Date; last_seen_at: Date }> = await deps.db.query(`SELECT first_seen_at, last_seen_at FROM node_pseudonyms WHERE fingerprint = $1`, [fingerprint]);
  const keys = await parseAgencyKeySet(JSON.parse(row.agency_keys) as unknown);
  const answer = await encryptAnswer(
    { v: 1, requestId: row.request_id, member: deps.member, fingerprint, identifier: { kind: identifier.kind, value: identifier.value }, firstSeenAt: new Date(seen!.first_seen_at).toISOString(), lastSeenAt: new Date(seen!.last_seen_at).toISOString() },
    encryptionKeyOf(keys),
  );
  const record = await stepRecord(deps, row.request_jws, row.request_id, { step: 'answered', answer });
  return queueDecision(deps, row, 'answered', record, { kind: 'approved', ...(note === undefined ? {} : { note }), by, at: deps.clock.now().toISOString() });
}

/** For `node status`: how many requests wait for the operator, and how many were decided. */
export async function disclosureCounts(db: Pick<DisclosureDeskDeps['db'], 'query'>): Promise<{ pending: number; waiting: number; answered: number; declined: number; expired: number; invalid: number; unsent: number }> {
  const [row]: Array<Record<string, string | number>> = await db.query(
    `SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'waiting') AS waiting,
            count(*) FILTER (WHERE state = 'answered') AS answered, count(*) FILTER (WHERE state = 'declined') AS declined,
            count(*) FILTER (WHERE state = 'expired') AS expired, count(*) FILTER (WHERE state = 'invalid') AS invalid,
            (SELECT count(*) FROM node_disclosure_outbox WHERE state = 'queued') AS unsent
     FROM node_disclosures`,
  );
  const n = (k: string): number => Number(row?.[k] ?? 0);
  return { pending: n('pending'), waiting: n('waiting'), answered: n('answered'), declined: n('declined'), expired: n('expired'), invalid: n('invalid'), unsent: n('unsent') };
}
