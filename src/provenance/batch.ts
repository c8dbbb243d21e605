import { TLPS, type Tlp } from '../indicators/index.js';
import { unsafeTextReason } from '../kernel/index.js';
import { isMemberSlug } from '../pki/index.js';
import type { JsonObject } from './canonical-json.js';
import { ProvenanceError } from './errors.js';
import { ARRAY_DIGEST_KEY, DIGEST, DISCLOSED_ARRAYS, SD_ALG } from './sd-jwt.js';

/** FIRST TLP 2.0 labels, the indicator model's list. */
export const BATCH_TLPS = TLPS;
export type BatchTlp = Tlp;

export interface Retraction {
  /** base64url SHA-256 of the JCS of `{type, value}` (43 characters). */
  readonly indicatorId: string;
  readonly reason: string;
}

/** What a platform did about a listing or observation it had reported (docs/auditor.md, item kinds). */
export const OUTCOME_ACTIONS = ['REMOVED', 'ACCOUNT_SUSPENDED', 'WARNED', 'NO_VIOLATION', 'ESCALATED'] as const;
export type OutcomeAction = (typeof OUTCOME_ACTIONS)[number];

/** An outcome: what the member did about its own earlier sighting of `indicatorId`. */
export interface OutcomeRecord {
  /** Lower-case UUID chosen by the node: what a later retraction names. */
  readonly outcomeId: string;
  readonly indicatorId: string;
  readonly action: OutcomeAction;
  /** RFC 3339; not after the batch's createdAt + 5 min. */
  readonly actedAt: string;
}

/** The member withdraws its own earlier outcome (a mistaken removal record, say). */
export interface OutcomeRetraction {
  readonly outcomeId: string;
  /** The outcome's indicator: the retraction is as sensitive as the outcome, decidable from the item alone. */
  readonly indicatorId: string;
  readonly reason: string;
}

/** One element of a batch's `outcomes` array: an outcome, or the retraction of one (it has `reason`, no `action`). */
export type OutcomeItem = OutcomeRecord | OutcomeRetraction;

export function isOutcomeRetraction(item: OutcomeItem): item is OutcomeRetraction {
  return 'reason' in item;
}

/** How far an outcome's actedAt may run ahead of its batch's createdAt (as createdAt ahead of the hub's clock). */
export const MAX_ACTED_AHEAD_MS = 5 * 60_000;

/** 1: a compact JWS over the items (design.md item 2); 2: an SD-JWT over their salted digests (item 2b). */
export type BatchVersion = 1 | 2;

/**
 * A batch's payload with its items in clear: the signed payload of version 1 (its wire form is
 * exactly the JCS of this object), or version 2 with every disclosure resolved.
 * `I` lets the signer pass its own indicator type; indicators are validated by the indicators
 * context, here only required to be JSON objects.
 */
export interface BatchPayload<I extends object = JsonObject> {
  readonly v: BatchVersion;
  /** Lower-case RFC 9562 UUID; with `member`, the idempotency key of the batch. */
  readonly batchId: string;
  readonly member: string;
  /** RFC 3339 with `T` and `Z`/offset in upper case, e.g. `2026-03-01T12:00:00.000Z`. */
  readonly createdAt: string;
  readonly tlp: BatchTlp;
  readonly indicators: readonly I[];
  readonly retractions?: readonly Retraction[];
  /** Optional, so that batches signed before outcomes existed stay valid as they are. */
  readonly outcomes?: readonly OutcomeItem[];
}

/** What a batch says besides its items. */
export type BatchEnvelope = Omit<BatchPayload, 'indicators' | 'retractions' | 'outcomes'>;

/** An array element digest, RFC 9901 §4.2.4.2. */
export interface ArrayDigest {
  readonly '...': string;
}

/** The signed payload of a version 2 batch: the envelope, and a digest in place of each item. */
export interface SdBatchPayload extends BatchEnvelope {
  readonly v: 2;
  readonly _sd_alg: typeof SD_ALG;
  readonly indicators: readonly ArrayDigest[];
  readonly retractions?: readonly ArrayDigest[];
  readonly outcomes?: readonly ArrayDigest[];
}

const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['v', 'batchId', 'member', 'createdAt', 'tlp', 'indicators', 'retractions', 'outcomes']);
const SD_ENVELOPE_FIELDS: ReadonlySet<string> = new Set([...ENVELOPE_FIELDS, '_sd_alg']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const INDICATOR_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_REASON_LENGTH = 1000;
const OUTCOME_FIELDS: ReadonlySet<string> = new Set(['outcomeId', 'indicatorId', 'action', 'actedAt']);
const OUTCOME_RETRACTION_FIELDS: ReadonlySet<string> = new Set(['outcomeId', 'indicatorId', 'reason']);

/**
 * Checks a batch with its items in clear (attacker-controlled on the hub side): exactly the known
 * fields, each well-formed. Indicators are only checked to be objects.
 * @throws ProvenanceError `INVALID_BATCH` with `details.field`
 */
export function assertBatchPayload(value: unknown): asserts value is BatchPayload {
  assertEnvelope(value, ENVELOPE_FIELDS);
  if (value.v !== 1 && value.v !== 2) throw invalid('v', 'must be 1 or 2');
  if (!Array.isArray(value.indicators)) throw invalid('indicators', 'must be an array');
  value.indicators.forEach((indicator: unknown, index) => assertIndicatorItem(indicator, `indicators[${index}]`));
  if (value.retractions !== undefined) {
    if (!Array.isArray(value.retractions)) throw invalid('retractions', 'must be an array');
    value.retractions.forEach((retraction: unknown, index) => assertRetractionItem(retraction, `retractions[${index}]`));
  }
  if (value.outcomes === undefined) return;
  if (!Array.isArray(value.outcomes)) throw invalid('outcomes', 'must be an array');
  const createdAt = parseRfc3339(value.createdAt)!;
  value.outcomes.forEach((outcome: unknown, index) => assertOutcomeItem(outcome, `outcomes[${index}]`, createdAt));
}

/**
 * Checks the signed payload of a version 2 batch: the envelope, `_sd_alg`, and an array element
 * digest in place of every item of each disclosed array.
 * @throws ProvenanceError `INVALID_BATCH` with `details.field`
 */
export function assertSdBatchPayload(value: unknown): asserts value is SdBatchPayload {
  assertEnvelope(value, SD_ENVELOPE_FIELDS);
  if (value.v !== 2) throw invalid('v', 'must be 2 in a wildintel-batch+sd-jwt');
  if (value._sd_alg !== SD_ALG) throw invalid('_sd_alg', `must be ${SD_ALG}`);
  for (const array of DISCLOSED_ARRAYS) {
    const digests = value[array];
    if (digests === undefined && array !== 'indicators') continue;
    if (!Array.isArray(digests)) throw invalid(array, 'must be an array');
    digests.forEach((d: unknown, index) => {
      if (!isObject(d) || Object.keys(d).length !== 1 || typeof d[ARRAY_DIGEST_KEY] !== 'string' || !DIGEST.test(d[ARRAY_DIGEST_KEY])) {
        throw invalid(`${array}[${index}]`, 'must be {"...": <base64url SHA-256 digest>}');
      }
    });
  }
}

/** An indicator item: a JSON object (the indicators context validates the rest). */
export function assertIndicatorItem(indicator: unknown, field: string): asserts indicator is JsonObject {
  if (!isObject(indicator)) throw invalid(field, 'must be an object');
}

/** A retraction item: exactly `{indicatorId, reason}`, each well-formed. */
export function assertRetractionItem(retraction: unknown, field: string): asserts retraction is Retraction {
  if (!isObject(retraction) || Object.keys(retraction).some((key) => key !== 'indicatorId' && key !== 'reason')) {
    throw invalid(field, 'must be {indicatorId, reason}');
  }
  if (typeof retraction.indicatorId !== 'string' || !INDICATOR_ID.test(retraction.indicatorId)) {
    throw invalid(`${field}.indicatorId`, 'must be a base64url SHA-256 indicator id');
  }
  assertReason(retraction.reason, `${field}.reason`);
}

/**
 * An outcome item (attacker-controlled): exactly an outcome `{outcomeId, indicatorId, action, actedAt}`
 * or an outcome retraction `{outcomeId, indicatorId, reason}`; `actedAt` no later than the batch's
 * `createdAt` + 5 min (what has not happened yet cannot have been done).
 */
export function assertOutcomeItem(outcome: unknown, field: string, createdAt: Date): asserts outcome is OutcomeItem {
  if (!isObject(outcome)) throw invalid(field, 'must be an object');
  const fields = 'reason' in outcome ? OUTCOME_RETRACTION_FIELDS : OUTCOME_FIELDS;
  const unknown = Object.keys(outcome).find((key) => !fields.has(key));
  if (unknown !== undefined) throw invalid(`${field}.${unknown}`, 'unknown field: an outcome is {outcomeId, indicatorId, action, actedAt}, its retraction {outcomeId, indicatorId, reason}');
  if (typeof outcome.outcomeId !== 'string' || !UUID.test(outcome.outcomeId)) throw invalid(`${field}.outcomeId`, 'must be a lower-case UUID');
  if (typeof outcome.indicatorId !== 'string' || !INDICATOR_ID.test(outcome.indicatorId)) throw invalid(`${field}.indicatorId`, 'must be a base64url SHA-256 indicator id');
  if ('reason' in outcome) return assertReason(outcome.reason, `${field}.reason`);
  if (!(OUTCOME_ACTIONS as readonly unknown[]).includes(outcome.action)) throw invalid(`${field}.action`, `must be one of ${OUTCOME_ACTIONS.join(', ')}`);
  const actedAt = parseRfc3339(outcome.actedAt);
  if (actedAt === undefined) throw invalid(`${field}.actedAt`, 'must be an RFC 3339 date-time');
  if (actedAt.getTime() > createdAt.getTime() + MAX_ACTED_AHEAD_MS) throw invalid(`${field}.actedAt`, `must not be more than ${MAX_ACTED_AHEAD_MS / 60_000} min after the batch's createdAt`);
}

function assertReason(reason: unknown, field: string): void {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON_LENGTH) {
    throw invalid(field, `must be a non-empty string of at most ${MAX_REASON_LENGTH} characters`);
  }
  const unsafe = unsafeTextReason(reason);
  if (unsafe !== undefined) throw invalid(field, unsafe);
}

function assertEnvelope(value: unknown, fields: ReadonlySet<string>): asserts value is Record<string, unknown> {
  if (!isObject(value)) throw invalid('$', 'the payload must be a JSON object');
  const unknown = Object.keys(value).find((key) => !fields.has(key));
  if (unknown !== undefined) throw invalid(unknown, 'unknown field');
  if (typeof value.batchId !== 'string' || !UUID.test(value.batchId)) throw invalid('batchId', 'must be a lower-case UUID');
  if (!isMemberSlug(value.member)) throw invalid('member', 'must be a member slug');
  if (parseRfc3339(value.createdAt) === undefined) throw invalid('createdAt', 'must be an RFC 3339 date-time');
  if (!(BATCH_TLPS as readonly unknown[]).includes(value.tlp)) throw invalid('tlp', `must be one of ${BATCH_TLPS.join(', ')}`);
}

/**
 * The `count` of a batch's log entry: its indicators and its outcome items (docs/auditor.md, item
 * kinds); a batch without outcomes counts its indicators, as it always did.
 */
export function loggedItemCount(batch: { readonly indicators: readonly unknown[]; readonly outcomes?: readonly unknown[] | undefined }): number {
  return batch.indicators.length + (batch.outcomes?.length ?? 0);
}

/**
 * Strict RFC 3339 date-time (§5.6): upper-case `T`/`Z`, real calendar dates, no leap second
 * (JavaScript dates cannot hold one). Returns `undefined` for anything else.
 */
export function parseRfc3339(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RFC3339.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    return undefined;
  }
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function invalid(field: string, message: string): ProvenanceError {
  return new ProvenanceError('INVALID_BATCH', `batch ${field}: ${message}`, { details: { field } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
