/**
 * The member's disclosure desk. Requests the hub routes to this member are trusted only as far as
 * the node can check them itself: each must be in the log the node has verified (its `filed` and
 * `routed` entries commit to exactly the records served), signed by the agency key set the log says
 * the agency registered, routed to this member, and not expired. A request that checks out waits
 * for the operator; nothing is ever answered automatically. On approval the raw identifier is read
 * from the vault, encrypted to the agency's key (the hub relays ciphertext it cannot read), signed
 * with the member's certificate and sent; every step goes through a durable outbox.
 */
import type { DataSource } from 'typeorm';
import {
  jwsPayload,
  keysSha256,
  parseAgencyKeySet,
  parseRoutedRecord,
  recordSha256,
  signMemberStep,
  verifyDisclosureRequest,
  type DisclosureRequestPayload,
  type MemberStepPayload,
} from '../disclosure/index.js';
import { indicatorId as idOf } from '../indicators/index.js';
import { isWildintelError, type Clock, type Logger, type Random } from '../kernel/index.js';
import { signMemberRequest, type BatchSigner } from '../provenance/index.js';
import type { Alarms } from './alarms.js';
import { fetchRoutedRequests, postStep, type ServedRequest } from './disclosure-client.js';
import { loggedAgencyKeys, loggedAt, loggedStep } from './disclosure-log.js';
import type { HubClientOptions } from './hub-client.js';
import type { Vault } from './vault.js';

export interface DisclosureDeskDeps {
  readonly db: DataSource;
  readonly hub: HubClientOptions;
  readonly audience: string;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly vault: Vault;
  readonly alarms: Alarms;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

type Check = { readonly kind: 'ok'; readonly request: DisclosureRequestPayload; readonly fingerprint: string; readonly expiresAt: Date } | { readonly kind: 'waiting'; readonly why: string } | { readonly kind: 'invalid'; readonly why: string };

const waiting = (why: string): Check => ({ kind: 'waiting', why });
const invalid = (why: string): Check => ({ kind: 'invalid', why });

async function feedNext(db: DataSource): Promise<number> {
  const rows: Array<{ feed_next: string | number }> = await db.query(`SELECT feed_next FROM node_state WHERE id = 1`);
  return Number(rows[0]?.feed_next ?? 0);
}

/** The served request against the node's own verified log: every check named, none skipped. */
async function checkServed(deps: DisclosureDeskDeps, served: ServedRequest): Promise<Check> {
  let routed;
  try {
    routed = parseRoutedRecord(served.routed);
  } catch (err) {
    return invalid(`the routed record is malformed: ${(err as Error).message}`);
  }
  if (routed.requestId !== served.requestId || routed.requestSha256 !== recordSha256(served.request)) return invalid('the routed record routes another request');
  if (!routed.members.includes(deps.member)) return invalid(`the request was not routed to ${deps.member}`);
  if (idOf('SELLER', routed.fingerprint) !== routed.indicatorId) return invalid('the routed fingerprint is not the seller indicator it names');
  const needed = Math.max(served.filedLeafIndex, served.routedLeafIndex, served.agencyKeysLeafIndex);
  if ((await feedNext(deps.db)) <= needed) return waiting(`the feed has not reached log entry ${needed} yet`);
  const filed = await loggedStep(deps.db, served.requestId, 'filed');
  const routedEntry = await loggedStep(deps.db, served.requestId, 'routed');
  if (filed?.recordSha256 !== recordSha256(served.request) || filed.leafIndex !== served.filedLeafIndex) return invalid('the log has no filed entry for exactly this request');
  if (routedEntry?.recordSha256 !== recordSha256(served.routed)) return invalid('the log has no routed entry for exactly this routing');
  let request: DisclosureRequestPayload;
  try {
    const keys = await parseAgencyKeySet(JSON.parse(served.agencyKeys) as unknown);
    const agency = String((jwsPayload(served.request) as { agency?: unknown }).agency);
    const logged = await loggedAgencyKeys(deps.db, agency, filed.leafIndex);
    if (logged?.keysSha256 !== keysSha256(keys)) return invalid(`the agency keys served are not the ones the log says ${agency} registered`);
    request = await verifyDisclosureRequest(served.request, keys);
  } catch (err) {
    return invalid(`the request does not verify: ${(err as Error).message}`);
  }
  const asked = 'fingerprint' in request.target ? idOf('SELLER', request.target.fingerprint) : request.target.indicatorId;
  if (request.requestId !== served.requestId || asked !== routed.indicatorId) return invalid('the agency asked about another seller than the hub routed');
  return { kind: 'ok', request, fingerprint: routed.fingerprint, expiresAt: new Date(routed.expiresAt) };
}

function token(deps: DisclosureDeskDeps): Promise<string> {
  return signMemberRequest({ keyPem: deps.signer.keyPem, chainPem: deps.signer.chainPem, member: deps.member, audience: deps.audience, now: deps.clock.now(), jti: deps.random.uuid() });
}

export async function stepRecord(deps: DisclosureDeskDeps, requestJws: string, requestId: string, extra: Pick<MemberStepPayload, 'step'> & Record<string, unknown>): Promise<string> {
  return signMemberStep({ v: 1, requestId, member: deps.member, requestSha256: recordSha256(requestJws), at: deps.clock.now().toISOString(), ...extra } as MemberStepPayload, deps.signer);
}

async function inVault(db: DataSource, fingerprint: string): Promise<boolean> {
  return ((await db.query(`SELECT 1 FROM node_pseudonyms WHERE fingerprint = $1`, [fingerprint])) as unknown[]).length > 0;
}

/** Stores a request that checked out, or is waiting for the feed, or failed (with an alarm). */
async function receive(deps: DisclosureDeskDeps, served: ServedRequest): Promise<void> {
  const known: Array<{ state: string }> = await deps.db.query(`SELECT state FROM node_disclosures WHERE request_id = $1`, [served.requestId]);
  if (known[0] !== undefined && known[0].state !== 'waiting') return;
  const check = await checkServed(deps, served);
  const now = deps.clock.now();
  const agency = String((jwsPayload(served.request) as { agency?: unknown }).agency ?? '?').slice(0, 64);
  const base = [served.requestId, agency, served.request, served.routed, served.agencyKeys, served.filedLeafIndex, now];
  if (check.kind !== 'ok') {
    if (check.kind === 'invalid') await deps.alarms.raise('DISCLOSURE_INVALID', `request ${served.requestId} served by the hub does not verify: ${check.why}`, { requestId: served.requestId });
    await deps.db.query(
      `INSERT INTO node_disclosures (request_id, state, agency, request_jws, routed, agency_keys, filed_leaf, received_at, problem) VALUES ($1, $8, $2, $3, $4, $5, $6, $7, $9)
       ON CONFLICT (request_id) DO UPDATE SET state = EXCLUDED.state, problem = EXCLUDED.problem`,
      [...base, check.kind, check.why],
    );
    return;
  }
  const state = check.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
  const delivered = state === 'pending' ? await stepRecord(deps, served.request, served.requestId, { step: 'delivered' }) : undefined;
  const vaulted = await inVault(deps.db, check.fingerprint);
  await deps.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO node_disclosures (request_id, state, agency, request_jws, routed, agency_keys, filed_leaf, received_at, case_id, fingerprint, expires_at, in_vault) VALUES ($1, $8, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12)
       ON CONFLICT (request_id) DO UPDATE SET state = EXCLUDED.state, problem = NULL, case_id = EXCLUDED.case_id, fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at, in_vault = EXCLUDED.in_vault`,
      [...base, state, check.request.caseId, check.fingerprint, check.expiresAt, vaulted],
    );
    if (delivered !== undefined) await tx.query(`INSERT INTO node_disclosure_outbox (request_id, step, record, state, created_at) VALUES ($1, 'delivered', $2, 'queued', $3) ON CONFLICT DO NOTHING`, [served.requestId, delivered, now]);
  });
  if (state === 'pending') deps.logger.info({ requestId: served.requestId, agency, caseId: check.request.caseId }, 'disclosure request received: waiting for the operator (wildintel node requests)');
}

/** Sends queued steps, oldest first; a refusal is final and kept with its code. */
export async function sendQueued(deps: DisclosureDeskDeps): Promise<void> {
  const rows: Array<{ request_id: string; step: string; record: string }> = await deps.db.query(`SELECT request_id::text, step, record FROM node_disclosure_outbox WHERE state = 'queued' ORDER BY created_at LIMIT 50`);
  for (const row of rows) {
    const outcome = await postStep(deps.hub, await token(deps), row.request_id, row.record);
    if (outcome.kind === 'retry') {
      await deps.db.query(`UPDATE node_disclosure_outbox SET attempts = attempts + 1, last_error = $3 WHERE request_id = $1 AND step = $2`, [row.request_id, row.step, outcome.reason.slice(0, 500)]);
      return;
    }
    if (outcome.kind === 'recorded') {
      await deps.db.query(`UPDATE node_disclosure_outbox SET state = 'sent', leaf_index = $3, last_error = NULL, attempts = attempts + 1 WHERE request_id = $1 AND step = $2`, [row.request_id, row.step, outcome.leafIndex]);
      continue;
    }
    deps.logger.warn({ requestId: row.request_id, step: row.step, code: outcome.code }, 'the hub refused a disclosure step');
    await deps.db.query(`UPDATE node_disclosure_outbox SET state = 'refused', last_error = $3, attempts = attempts + 1 WHERE request_id = $1 AND step = $2`, [row.request_id, row.step, `${outcome.code}: ${outcome.message}`.slice(0, 500)]);
  }
}

/** Sent steps must show up in the verified log exactly as sent, at the index the hub answered. */
async function confirmLogged(deps: DisclosureDeskDeps): Promise<void> {
  const next = await feedNext(deps.db);
  const rows: Array<{ request_id: string; step: string; record: string; leaf_index: string | number }> = await deps.db.query(
    `SELECT request_id::text, step, record, leaf_index FROM node_disclosure_outbox WHERE state = 'sent' AND leaf_index < $1 AND last_error IS NULL`,
    [next],
  );
  for (const row of rows) {
    const logged = await loggedAt(deps.db, Number(row.leaf_index));
    const ok = logged?.recordSha256 === recordSha256(row.record);
    await deps.db.query(`UPDATE node_disclosure_outbox SET last_error = $3 WHERE request_id = $1 AND step = $2`, [row.request_id, row.step, ok ? 'logged' : 'NOT_IN_LOG']);
    if (!ok) await deps.alarms.raise('DISCLOSURE_NOT_LOGGED', `the hub acknowledged our ${row.step} record of request ${row.request_id} at log entry ${row.leaf_index}, but the log holds something else there`, { requestId: row.request_id });
  }
}

/** One round: fetch what is routed here, check what is new, send what is queued, confirm what was sent. */
export async function runDeskRound(deps: DisclosureDeskDeps): Promise<void> {
  try {
    for (const served of await fetchRoutedRequests(deps.hub, await token(deps))) await receive(deps, served);
  } catch (err) {
    if (!(isWildintelError(err) && err.code === 'HUB_UNAVAILABLE')) throw err;
  }
  await deps.db.query(`UPDATE node_disclosures SET state = 'expired' WHERE state = 'pending' AND expires_at <= $1`, [deps.clock.now()]);
  await sendQueued(deps);
  await confirmLogged(deps);
}
