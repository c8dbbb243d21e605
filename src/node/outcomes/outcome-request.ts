/**
 * What a platform sends (attacker-controlled as any input): outcomes naming what they concern the
 * way a platform knows it — the indicator id it was given back, the raw seller identifier, or the
 * listing text whose code word was published — and retractions of earlier outcomes. Parsed whole
 * before anything is written; the first problem refuses the request with its index and field.
 */
import { z } from 'zod';
import { SELLER_IDENTIFIER_KINDS } from '../../indicators/index.js';
import { OUTCOME_ACTIONS, parseRfc3339, type OutcomeAction } from '../../provenance/index.js';
import { controlCharacterReason } from '../../kernel/index.js';
import { NodeError } from '../errors.js';
import { firstIssue } from '../observation.js';

/** What an outcome concerns, as the platform names it; resolved to published indicator ids at the node. */
export type OutcomeTarget = { readonly indicatorId: string } | { readonly identifier: { readonly type: (typeof SELLER_IDENTIFIER_KINDS)[number]; readonly value: string } } | { readonly text: string };

export interface OutcomeRequest {
  readonly target: OutcomeTarget;
  readonly action: OutcomeAction;
  readonly actedAt: Date;
  /** The platform's own listing or case reference: kept at the node, never published. */
  readonly reference?: string;
}

export interface OutcomeRetractionRequest {
  readonly by: { readonly outcomeId: string } | { readonly reference: string };
  readonly reason: string;
}

export const MAX_OUTCOMES_PER_REQUEST = 1000;

/** The platform's reference is stored at the node (and Postgres text holds no NUL): one line of text, no control characters. */
const referenceText = z
  .string()
  .min(1)
  .max(200)
  .superRefine((s, ctx) => {
    const reason = controlCharacterReason(s, 'line');
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
const reference = referenceText.optional();
const common = {
  action: z.enum(OUTCOME_ACTIONS),
  actedAt: z.string().refine((s) => parseRfc3339(s) !== undefined, 'must be an RFC 3339 date-time, e.g. 2026-03-01T12:00:00Z'),
  reference,
};
const byIndicator = z.strictObject({ indicatorId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an indicator id (43 base64url characters)'), ...common });
const byIdentifier = z.strictObject({ identifier: z.strictObject({ type: z.enum(SELLER_IDENTIFIER_KINDS), value: z.string().min(1).max(1024) }), ...common });
const byText = z.strictObject({ text: z.string().min(1).max(1000), ...common });
type OutcomeInput = z.infer<typeof byIndicator> | z.infer<typeof byIdentifier> | z.infer<typeof byText>;
const has = (item: unknown, key: string): boolean => typeof item === 'object' && item !== null && key in item;
/** The schema is chosen by which target the item names, so that an error names the field at fault. */
const outcomeSchema = (item: unknown): z.ZodType<OutcomeInput> => (has(item, 'identifier') ? byIdentifier : has(item, 'text') ? byText : byIndicator);
/** Published in the batch: a slug, so that no free text (and no personal data) rides along. */
const reason = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a slug such as recorded-in-error (it is published)');
const byOutcomeId = z.strictObject({ outcomeId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID'), reason });
const byReference = z.strictObject({ reference: referenceText, reason });
type RetractionInput = z.infer<typeof byOutcomeId> | z.infer<typeof byReference>;
const retractionSchema = (item: unknown): z.ZodType<RetractionInput> => (has(item, 'reference') ? byReference : byOutcomeId);

/** `{"outcomes": [...]}`: each outcome, with how far ahead of `now` its actedAt may run. @throws NodeError `INVALID_OUTCOME` */
export function parseOutcomeRequests(body: unknown, now: Date, maxAheadMs: number): OutcomeRequest[] {
  return parseList(body, 'outcomes', outcomeSchema).map((o, index) => {
    const actedAt = parseRfc3339(o.actedAt)!;
    if (actedAt.getTime() > now.getTime() + maxAheadMs) throw invalid(index, { field: 'actedAt', reason: 'is in the future: record an outcome once the platform has acted' });
    const target: OutcomeTarget = 'indicatorId' in o ? { indicatorId: o.indicatorId } : 'identifier' in o ? { identifier: o.identifier } : { text: o.text };
    return { target, action: o.action, actedAt, ...(o.reference === undefined ? {} : { reference: o.reference }) };
  });
}

/** `{"retractions": [...]}`. @throws NodeError `INVALID_OUTCOME` */
export function parseOutcomeRetractions(body: unknown): OutcomeRetractionRequest[] {
  return parseList(body, 'retractions', retractionSchema).map((r) => ({ by: 'outcomeId' in r ? { outcomeId: r.outcomeId } : { reference: r.reference }, reason: r.reason }));
}

function parseList<T>(body: unknown, field: string, schemaFor: (item: unknown) => z.ZodType<T>): T[] {
  const envelope = z.strictObject({ [field]: z.array(z.unknown()).min(1).max(MAX_OUTCOMES_PER_REQUEST) });
  const parsed = envelope.safeParse(body);
  if (!parsed.success) throw invalid(-1, firstIssue(parsed.error));
  return (parsed.data[field] as unknown[]).map((item, index) => {
    const one = schemaFor(item).safeParse(item);
    if (!one.success) throw invalid(index, firstIssue(one.error));
    return one.data;
  });
}

function invalid(index: number, { field, reason: why }: { field: string; reason: string }): NodeError {
  return new NodeError('INVALID_OUTCOME', `${index < 0 ? '' : `item ${index}: `}${field} ${why}`, { details: { index, field } });
}
