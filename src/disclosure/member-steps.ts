/**
 * The member's side at the hub: the requests routed to it, and its signed steps (delivered,
 * answered, declined) recorded as named checks — signature and chain → it is the caller's →
 * this request, this version → routed to it → not recorded before → not expired → a step its
 * route allows → (answered) ciphertext for the agency's key → record and log, in one transaction.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { agencyKeysById } from './agency-key-store.js';
import { encryptionKeyOf } from './agency-keys.js';
import { assertAnswerJwe } from './answer-crypto.js';
import { DisclosureError } from './errors.js';
import type { MemberStepVerifier } from './member-step.js';
import { recordSha256, type MemberStepPayload } from './records.js';

export interface MemberStepDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  readonly steps: MemberStepVerifier;
  /** Reads revocations other hub processes recorded, before a record is verified. */
  readonly refreshRevocations: () => Promise<void>;
}

/** A request as a member node receives it: everything it needs to verify it against the log itself. */
export interface RoutedRequest {
  readonly requestId: string;
  /** The agency-signed request (the `filed` record). */
  readonly request: string;
  readonly filedLeafIndex: number;
  /** The hub's `routed` record (RFC 8785 JSON). */
  readonly routed: string;
  readonly routedLeafIndex: number;
  /** The agency's public key set in force when it filed (RFC 8785 JSON; its hash is in an `agency` entry). */
  readonly agencyKeys: string;
  readonly agencyKeysLeafIndex: number;
  readonly state: string;
}

const MAX_ROUTED = 200;

/** Open requests routed to `member`: not yet answered or declined, not expired. */
export async function routedTo(deps: Pick<MemberStepDeps, 'db' | 'clock'>, member: string): Promise<RoutedRequest[]> {
  const rows: Array<{ request_id: string; request_jws: string; agency_keys_id: string | number; state: string; filed: string | number; routed: string; routed_leaf: string | number }> = await deps.db.query(
    `SELECT r.request_id::text, r.request_jws, r.agency_keys_id, t.state, f.leaf_index AS filed, s.record AS routed, s.leaf_index AS routed_leaf
     FROM disclosure_routes t JOIN disclosure_requests r ON r.request_id = t.request_id
     JOIN disclosure_steps f ON f.request_id = r.request_id AND f.step = 'filed'
     JOIN disclosure_steps s ON s.request_id = r.request_id AND s.step = 'routed'
     WHERE t.member = $1 AND t.state IN ('routed', 'delivered') AND r.expires_at > $2 ORDER BY r.filed_at LIMIT ${MAX_ROUTED}`,
    [member, deps.clock.now()],
  );
  const keys = await agencyKeysById(deps.db, rows.map((r) => Number(r.agency_keys_id)));
  return rows.map((r) => {
    const k = keys.get(Number(r.agency_keys_id))!;
    return { requestId: r.request_id, request: r.request_jws, filedLeafIndex: Number(r.filed), routed: r.routed, routedLeafIndex: Number(r.routed_leaf), agencyKeys: k.jwks, agencyKeysLeafIndex: k.leafIndex, state: r.state };
  });
}

export interface StepReceipt {
  readonly step: MemberStepPayload['step'];
  readonly requestId: string;
  readonly leafIndex: number;
  readonly recordSha256: string;
  readonly checkpoint: string;
}

interface RequestRow {
  request_jws: string;
  expires_at: Date;
  agency_keys_id: string | number;
}

async function recordedBefore(db: Pick<EntityManager, 'query'>, hash: string): Promise<void> {
  const rows: Array<{ leaf_index: string | number }> = await db.query(`SELECT leaf_index FROM disclosure_steps WHERE record_sha256 = $1`, [hash]);
  if (rows[0] !== undefined) throw new DisclosureError('ANSWER_REPLAYED', 'this record was recorded already', { details: { leafIndex: Number(rows[0].leaf_index), recordSha256: hash } });
}

const ALLOWED_FROM: Readonly<Record<MemberStepPayload['step'], readonly string[]>> = {
  delivered: ['routed'],
  answered: ['routed', 'delivered'],
  declined: ['routed', 'delivered'],
};

/** Under the route's row lock, so that concurrent records of one member are judged one after the other. */
async function lockRoute(tx: EntityManager, payload: MemberStepPayload, hash: string, now: Date): Promise<void> {
  const routes: Array<{ state: string }> = await tx.query(`SELECT state FROM disclosure_routes WHERE request_id = $1 AND member = $2 FOR UPDATE`, [payload.requestId, payload.member]);
  const route = routes[0];
  if (route === undefined) throw new DisclosureError('NOT_ROUTED', `request ${payload.requestId} was not routed to ${payload.member}: a member answers only what it was asked`);
  await recordedBefore(tx, hash);
  const [request] = (await tx.query(`SELECT expires_at FROM disclosure_requests WHERE request_id = $1`, [payload.requestId])) as RequestRow[];
  if (new Date(request!.expires_at).getTime() <= now.getTime()) throw new DisclosureError('DISCLOSURE_EXPIRED', `request ${payload.requestId} expired at ${new Date(request!.expires_at).toISOString()}: nothing more is recorded for it`);
  if (!ALLOWED_FROM[payload.step].includes(route.state)) {
    throw new DisclosureError('STEP_ALREADY_RECORDED', `${payload.member} already recorded ${route.state} for request ${payload.requestId}; a ${payload.step} record is refused`, { details: { state: route.state } });
  }
}

async function checkAgainstRequest(deps: MemberStepDeps, payload: MemberStepPayload, requestId: string, member: string): Promise<void> {
  if (payload.member !== member) throw new DisclosureError('ANSWER_INVALID', `the record is signed for ${payload.member}, not the member asking (${member})`, { details: { field: 'member' } });
  if (payload.requestId !== requestId) throw new DisclosureError('ANSWER_INVALID', 'the record is for another request', { details: { field: 'requestId' } });
  const [request] = (await deps.db.query(`SELECT request_jws, expires_at, agency_keys_id FROM disclosure_requests WHERE request_id = $1`, [requestId])) as RequestRow[];
  if (request === undefined) throw new DisclosureError('UNKNOWN_DISCLOSURE', `no request ${requestId}`);
  if (payload.requestSha256 !== recordSha256(request.request_jws)) throw new DisclosureError('ANSWER_INVALID', 'the record answers another version of the request (requestSha256)', { details: { field: 'requestSha256' } });
  if (payload.step === 'answered') {
    const keys = (await agencyKeysById(deps.db, [Number(request.agency_keys_id)])).get(Number(request.agency_keys_id))!;
    try {
      assertAnswerJwe(payload.answer, encryptionKeyOf(keys.keys).kid);
    } catch (cause) {
      throw new DisclosureError('ANSWER_INVALID', (cause as Error).message, { cause, details: { field: 'answer' } });
    }
  }
}

/**
 * Records a member's step. `member` is who authenticated the request (a member request token).
 * @throws DisclosureError `ANSWER_TAMPERED` | `ANSWER_INVALID` | `UNKNOWN_DISCLOSURE` | `ANSWER_REPLAYED` | `NOT_ROUTED` | `DISCLOSURE_EXPIRED` | `STEP_ALREADY_RECORDED`
 */
export async function recordMemberStep(deps: MemberStepDeps, member: string, requestId: string, jws: string): Promise<StepReceipt> {
  await deps.refreshRevocations();
  const now = deps.clock.now();
  const { payload } = await deps.steps.verify(jws, now);
  await checkAgainstRequest(deps, payload, requestId, member);
  const hash = recordSha256(jws);
  return deps.db.transaction(async (tx) => {
    await lockRoute(tx, payload, hash, now);
    const appended = await deps.log.append(tx, [{ kind: 'disclosure', step: payload.step, requestId, recordSha256: hash }]);
    await tx.query(`INSERT INTO disclosure_steps (request_id, step, member, record, record_sha256, leaf_index, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [requestId, payload.step, member, jws, hash, appended.firstIndex, now]);
    await tx.query(`UPDATE disclosure_routes SET state = $3 WHERE request_id = $1 AND member = $2`, [requestId, member, payload.step]);
    return { step: payload.step, requestId, leafIndex: appended.firstIndex, recordSha256: hash, checkpoint: appended.checkpoint };
  });
}
