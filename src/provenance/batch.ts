import { TLPS, type Tlp } from '../indicators/index.js';
import { unsafeTextReason } from '../kernel/index.js';
import { isMemberSlug } from '../pki/index.js';
import type { JsonObject } from './canonical-json.js';
import { ProvenanceError } from './errors.js';

/** FIRST TLP 2.0 labels, the indicator model's list. */
export const BATCH_TLPS = TLPS;
export type BatchTlp = Tlp;

export interface Retraction {
  /** base64url SHA-256 of the JCS of `{type, value}` (43 characters). */
  readonly indicatorId: string;
  readonly reason: string;
}

/**
 * The signed batch payload, design.md item 2. Its wire form is exactly the JCS of this object.
 * `I` lets the signer pass its own indicator type; indicators are validated by the indicators
 * context, here only required to be JSON objects.
 */
export interface BatchPayload<I extends object = JsonObject> {
  readonly v: 1;
  /** Lower-case RFC 9562 UUID; with `member`, the idempotency key of the batch. */
  readonly batchId: string;
  readonly member: string;
  /** RFC 3339 with `T` and `Z`/offset in upper case, e.g. `2026-03-01T12:00:00.000Z`. */
  readonly createdAt: string;
  readonly tlp: BatchTlp;
  readonly indicators: readonly I[];
  readonly retractions?: readonly Retraction[];
}

const ENVELOPE_FIELDS = new Set(['v', 'batchId', 'member', 'createdAt', 'tlp', 'indicators', 'retractions']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const INDICATOR_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_REASON_LENGTH = 1000;

/**
 * Checks the envelope of a batch (attacker-controlled on the hub side): exactly the known fields,
 * each well-formed. Indicators are only checked to be objects.
 * @throws ProvenanceError `INVALID_BATCH` with `details.field`
 */
export function assertBatchPayload(value: unknown): asserts value is BatchPayload {
  if (!isObject(value)) throw invalid('$', 'the payload must be a JSON object');
  const unknown = Object.keys(value).find((key) => !ENVELOPE_FIELDS.has(key));
  if (unknown !== undefined) throw invalid(unknown, 'unknown field');
  if (value.v !== 1) throw invalid('v', 'must be 1');
  if (typeof value.batchId !== 'string' || !UUID.test(value.batchId)) throw invalid('batchId', 'must be a lower-case UUID');
  if (!isMemberSlug(value.member)) throw invalid('member', 'must be a member slug');
  if (parseRfc3339(value.createdAt) === undefined) throw invalid('createdAt', 'must be an RFC 3339 date-time');
  if (!(BATCH_TLPS as readonly unknown[]).includes(value.tlp)) throw invalid('tlp', `must be one of ${BATCH_TLPS.join(', ')}`);
  assertIndicators(value.indicators);
  if (value.retractions !== undefined) assertRetractions(value.retractions);
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

function assertIndicators(indicators: unknown): void {
  if (!Array.isArray(indicators)) throw invalid('indicators', 'must be an array');
  indicators.forEach((indicator: unknown, index) => {
    if (!isObject(indicator)) throw invalid(`indicators[${index}]`, 'must be an object');
  });
}

function assertRetractions(retractions: unknown): void {
  if (!Array.isArray(retractions)) throw invalid('retractions', 'must be an array');
  retractions.forEach((retraction: unknown, index) => {
    const field = `retractions[${index}]`;
    if (!isObject(retraction) || Object.keys(retraction).some((key) => key !== 'indicatorId' && key !== 'reason')) {
      throw invalid(field, 'must be {indicatorId, reason}');
    }
    if (typeof retraction.indicatorId !== 'string' || !INDICATOR_ID.test(retraction.indicatorId)) {
      throw invalid(`${field}.indicatorId`, 'must be a base64url SHA-256 indicator id');
    }
    const { reason } = retraction;
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON_LENGTH) {
      throw invalid(`${field}.reason`, `must be a non-empty string of at most ${MAX_REASON_LENGTH} characters`);
    }
    const unsafe = unsafeTextReason(reason);
    if (unsafe !== undefined) throw invalid(`${field}.reason`, unsafe);
  });
}
