/**
 * When an observation may say it happened (issue 21): an `observedAt` of 9999-12-31 would become
 * every reader's `lastSeenAt` and sort first for ever. One rule, used by the hub's ingest (against
 * the batch's signed `createdAt`) and by the node's platform API (against its clock, since the
 * batch will be created later still). Pure: the reference instant is passed in.
 */
import { parseRfc3339 } from './timestamp.js';

/** The oldest `observedAt` accepted: online wildlife trade monitoring has no earlier records worth federating. */
export const OLDEST_OBSERVED_AT = '2000-01-01T00:00:00Z';
/** How far `observedAt` may run ahead of its reference (the batch's `createdAt`): clock skew, as for `createdAt` itself. */
export const MAX_OBSERVED_AT_LEAD_MS = 5 * 60_000;

const OLDEST_MS = Date.parse(OLDEST_OBSERVED_AT);

/**
 * Why `observedAt` (RFC 3339, as signed) is out of range against `referenceMs`, or undefined when
 * it is in range. A string that is no timestamp is the parser's to refuse: undefined here.
 */
export function observedAtOutOfRange(observedAt: string, referenceMs: number): string | undefined {
  const observedAtMs = parseRfc3339(observedAt);
  if (observedAtMs === undefined) return undefined;
  if (observedAtMs < OLDEST_MS) return `must not be before ${OLDEST_OBSERVED_AT}`;
  if (observedAtMs > referenceMs + MAX_OBSERVED_AT_LEAD_MS) return 'must not be more than 5 minutes after the batch is created (an observation cannot come from the future)';
  return undefined;
}
