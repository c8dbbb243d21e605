/**
 * Re-checks a request's whole history from its records alone, as an auditor or a prosecutor does
 * (`wildintel audit disclosures`, `wildintel evidence verify`): nothing from the hub is taken on
 * trust but the log's own timestamps. Named steps: the agency's signature on the request → the
 * hub's routing of exactly that request → each member's record (chain to the federation root,
 * signature, this request, routed to it, logged before expiry, one outcome each) → each retrieval
 * names an answer that exists.
 */
import { indicatorId as idOf } from '../indicators/index.js';
import type { DisclosureStep } from '../tlog/index.js';
import type { AgencyKeySet } from './agency-keys.js';
import { DisclosureError } from './errors.js';
import { createMemberStepVerifier } from './member-step.js';
import { parseRetrievedRecord, parseRoutedRecord, recordSha256, type DisclosureRequestPayload, type MemberStepPayload, type RoutedRecord } from './records.js';
import { verifyDisclosureRequest } from './request.js';

export interface LoggedRecord {
  readonly step: DisclosureStep;
  readonly record: string;
  /** When the log says it was logged (the entry's ts, ms). */
  readonly loggedAt: number;
  readonly leafIndex: number;
}

export interface MemberOutcome {
  readonly member: string;
  readonly delivered?: { readonly at: string; readonly leafIndex: number };
  readonly outcome?: { readonly step: 'answered' | 'declined'; readonly at: string; readonly leafIndex: number; readonly reason?: string; readonly note?: string; readonly answer?: string; readonly leafSerialHex: string; readonly recordSha256: string };
}

export interface VerifiedHistory {
  readonly request: DisclosureRequestPayload;
  readonly filedLeafIndex: number;
  readonly filedAt: number;
  readonly routed: RoutedRecord;
  readonly members: readonly MemberOutcome[];
  readonly retrievals: ReadonlyArray<{ readonly member: string; readonly analyst: string; readonly tokenId: string; readonly at: string; readonly leafIndex: number }>;
}

function broken(code: 'INVALID_DISCLOSURE' | 'NOT_ROUTED' | 'DISCLOSURE_EXPIRED' | 'STEP_ALREADY_RECORDED' | 'ANSWER_INVALID', message: string): DisclosureError {
  return new DisclosureError(code, message);
}

function single(records: readonly LoggedRecord[], step: DisclosureStep, requestId: string): LoggedRecord {
  const found = records.filter((r) => r.step === step);
  if (found.length !== 1) throw broken('INVALID_DISCLOSURE', `request ${requestId} has ${found.length} ${step} records; it must have exactly one`);
  return found[0]!;
}

function checkRouting(request: DisclosureRequestPayload, filed: LoggedRecord, routed: RoutedRecord): void {
  const where = `request ${request.requestId}`;
  if (routed.requestId !== request.requestId || routed.requestSha256 !== recordSha256(filed.record)) throw broken('INVALID_DISCLOSURE', `${where}: the routed record routes another request`);
  if (idOf('SELLER', routed.fingerprint) !== routed.indicatorId) throw broken('INVALID_DISCLOSURE', `${where}: the routed fingerprint is not the seller indicator it names`);
  const asked = 'fingerprint' in request.target ? idOf('SELLER', request.target.fingerprint) : request.target.indicatorId;
  if (asked !== routed.indicatorId) throw broken('INVALID_DISCLOSURE', `${where}: the hub routed another seller than the agency asked about`);
}

function addOutcome(outcomes: Map<string, MemberOutcome>, payload: MemberStepPayload, record: LoggedRecord, leafSerialHex: string): void {
  const current = outcomes.get(payload.member)!;
  if (payload.step === 'delivered') {
    if (current.delivered !== undefined) throw broken('STEP_ALREADY_RECORDED', `${payload.member} has two delivered records for request ${payload.requestId}`);
    outcomes.set(payload.member, { ...current, delivered: { at: payload.at, leafIndex: record.leafIndex } });
    return;
  }
  if (current.outcome !== undefined) throw broken('STEP_ALREADY_RECORDED', `${payload.member} both answered and declined, or answered twice, request ${payload.requestId}`);
  const detail = payload.step === 'answered' ? { answer: payload.answer } : { reason: payload.reason, ...(payload.note === undefined ? {} : { note: payload.note }) };
  outcomes.set(payload.member, { ...current, outcome: { step: payload.step, at: payload.at, leafIndex: record.leafIndex, leafSerialHex, recordSha256: recordSha256(record.record), ...detail } });
}

/**
 * @throws DisclosureError: `REQUEST_SIGNATURE`, `INVALID_DISCLOSURE`, `ANSWER_TAMPERED`, `ANSWER_INVALID`,
 *   `NOT_ROUTED`, `DISCLOSURE_EXPIRED`, `STEP_ALREADY_RECORDED`; chain problems arrive as ANSWER_TAMPERED with the PKI code
 */
export async function verifyHistory(records: readonly LoggedRecord[], keys: AgencyKeySet, trust: { roots: readonly Uint8Array[] }): Promise<VerifiedHistory> {
  const filed = single(records, 'filed', '?');
  const request = await verifyDisclosureRequest(filed.record, keys);
  const routedRecord = single(records, 'routed', request.requestId);
  const routed = parseRoutedRecord(routedRecord.record);
  checkRouting(request, filed, routed);
  const expiresAt = Date.parse(routed.expiresAt);
  const steps = createMemberStepVerifier({ roots: trust.roots, isRevoked: () => undefined });
  const outcomes = new Map<string, MemberOutcome>(routed.members.map((m) => [m, { member: m }]));
  for (const record of records.filter((r) => r.step === 'delivered' || r.step === 'answered' || r.step === 'declined')) {
    // The chain must have been valid when the hub logged the record (revocations cannot be known offline).
    const { payload, leafSerialHex } = await steps.verify(record.record, new Date(record.loggedAt));
    if (payload.step !== record.step || payload.requestId !== request.requestId || payload.requestSha256 !== recordSha256(filed.record)) {
      throw broken('ANSWER_INVALID', `a ${record.step} record of ${payload.member} is not a ${record.step} of request ${request.requestId}`);
    }
    if (!outcomes.has(payload.member)) throw broken('NOT_ROUTED', `${payload.member} recorded ${payload.step} for request ${request.requestId}, which was not routed to it`);
    if (record.loggedAt >= expiresAt) throw broken('DISCLOSURE_EXPIRED', `${payload.member}'s ${payload.step} was logged after request ${request.requestId} expired`);
    addOutcome(outcomes, payload, record, leafSerialHex);
  }
  const retrievals = records
    .filter((r) => r.step === 'retrieved')
    .map((r) => {
      const retrieved = parseRetrievedRecord(r.record);
      const answer = outcomes.get(retrieved.member)?.outcome;
      if (retrieved.requestId !== request.requestId || retrieved.agency !== request.agency || answer?.step !== 'answered' || answer.recordSha256 !== retrieved.answerSha256) {
        throw broken('INVALID_DISCLOSURE', `a retrieved record of request ${request.requestId} names no answer of it`);
      }
      return { member: retrieved.member, analyst: retrieved.analyst, tokenId: retrieved.tokenId, at: retrieved.at, leafIndex: r.leafIndex };
    });
  return { request, filedLeafIndex: filed.leafIndex, filedAt: filed.loggedAt, routed, members: [...outcomes.values()], retrievals };
}
