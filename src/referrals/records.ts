/**
 * The records of a referral, each committed to the log by a `referral` entry
 * `{step, referralId, agency, by, recordSha256}` where recordSha256 is base64url SHA-256 (as every kind's hashes) of
 * the record's bytes exactly as stored:
 *
 * | step         | record                                             | signed by                   |
 * |--------------|----------------------------------------------------|-----------------------------|
 * | filed        | the referral (compact JWS, typ REFERRAL_TYP, x5c)  | the member's certificate    |
 * | acknowledged, accepted, declined, closed | RFC 8785 JSON: agency, analyst, token, time, reason or result | the hub, through the log's checkpoint |
 *
 * The member's record carries no time: the hub's filing time is the referral's time.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { COMMODITIES } from '../indicators/index.js';
import { controlCharacterReason, type TextShape } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import { REFERRAL_RESULTS, REFERRAL_STEPS } from '../tlog/index.js';
import { invalid } from './errors.js';
import { assertPlace } from './places.js';

export const REFERRAL_TYP = 'wildintel-referral+jws';
/** Content type of evidence encrypted to the receiving agency's key. */
export const EVIDENCE_CTY = 'wildintel-referral-evidence+json';
export const URGENCIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Urgency = (typeof URGENCIES)[number];
export { REFERRAL_RESULTS, REFERRAL_STEPS };
export type { ReferralResult, ReferralStep } from '../tlog/index.js';

/** Encrypted evidence travels inside the signed record; a GraphQL body is at most 1 MB. */
export const MAX_EVIDENCE_JWE = 700 * 1024;
export const MAX_RECORD_BYTES = 900 * 1024;

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[A-Za-z0-9_-]{43}$/;
const FINGERPRINT = /^fp1\.[A-Za-z0-9._-]{1,64}\.[A-Za-z0-9_-]{43}$/;

/** Free text another party reads and prints: no control characters (bidi, ESC, NUL). */
const freeText = (shape: TextShape) => (value: string, ctx: z.RefinementCtx): void => {
  const reason = controlCharacterReason(value, shape);
  if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
};
const place = z.string().superRefine((v, ctx) => {
  try {
    assertPlace(v, 'place');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^place /, '') });
  }
});

/** What the member files, as the node builds it (before routing and signing). */
export const draftShape = {
  sellers: z.array(z.string().regex(FINGERPRINT, 'must be a seller fingerprint fp1.<keyId>.<hash>')).max(100).default([]),
  indicators: z.array(z.string().regex(SHA256, 'must be an indicator id (base64url of 32 bytes)')).max(100).default([]),
  summary: z.string().trim().min(1, 'must say what the case is').max(4000).superRefine(freeText('multiline')),
  urgency: z.enum(URGENCIES, { error: `must be one of ${URGENCIES.join(', ')}` }),
  commodity: z.enum(COMMODITIES, { error: 'must be a commodity of the indicator model' }),
  place,
};

const referralSchema = z
  .strictObject({
    v: z.literal(1),
    referralId: z.string().regex(UUID, 'must be a lower-case UUID'),
    /** Shared by the referrals of one case routed to several agencies. */
    caseRef: z.string().regex(UUID, 'must be a lower-case UUID'),
    member: z.string().regex(SLUG),
    agency: z.string().regex(SLUG, 'must be an agency slug'),
    /** NAMED: the member chose the agency; COMPETENCE: the hub's competence register chose it. */
    routing: z.enum(['NAMED', 'COMPETENCE']),
    sellers: z.array(z.string().regex(FINGERPRINT, 'must be a seller fingerprint fp1.<keyId>.<hash>')).max(100),
    indicators: z.array(z.string().regex(SHA256, 'must be an indicator id')).max(100),
    summary: draftShape.summary,
    urgency: draftShape.urgency,
    commodity: draftShape.commodity,
    place,
    /** Compact JWE to the agency's registered encryption key (cty EVIDENCE_CTY). */
    evidence: z.string().min(1).max(MAX_EVIDENCE_JWE).optional(),
  })
  .refine((r) => r.sellers.length + r.indicators.length > 0, { message: 'must name at least one seller fingerprint or indicator id', path: ['sellers'] });
export type ReferralPayload = z.infer<typeof referralSchema>;

function firstIssue(error: z.ZodError, prefix: string): never {
  const issue = error.issues[0];
  throw invalid(`${prefix}${issue?.path.join('.') ?? ''}`.replace(/\.$/, ''), issue?.message ?? 'is invalid');
}

export function parseReferralPayload(value: unknown): ReferralPayload {
  const parsed = referralSchema.safeParse(value);
  return parsed.success ? parsed.data : firstIssue(parsed.error, 'referral.');
}

/** One evidence file as the member gives it: a name, a media type and the bytes (base64). */
export interface EvidenceFile {
  readonly name: string;
  readonly mediaType: string;
  readonly data: string;
}

const evidenceSchema = z.strictObject({
  v: z.literal(1),
  referralId: z.string().regex(UUID),
  files: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200).superRefine(freeText('line')),
        mediaType: z.string().regex(/^[a-z]+\/[a-z0-9.+-]{1,100}$/, 'must be a media type such as image/png'),
        data: z.string().max(MAX_EVIDENCE_JWE).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
      }),
    )
    .min(1)
    .max(20),
});
export type EvidencePlaintext = z.infer<typeof evidenceSchema>;

export function parseEvidence(value: unknown): EvidencePlaintext {
  const parsed = evidenceSchema.safeParse(value);
  return parsed.success ? parsed.data : firstIssue(parsed.error, 'evidence.');
}

/** The hub's record of an agency step: canonical JSON, hashed as stored. */
export interface AgencyStepRecord {
  readonly v: 1;
  readonly step: Exclude<(typeof REFERRAL_STEPS)[number], 'filed'>;
  readonly referralId: string;
  readonly agency: string;
  readonly analyst: string;
  readonly tokenId: string;
  readonly at: string;
  readonly reason?: string;
  readonly result?: (typeof REFERRAL_RESULTS)[number];
  readonly note?: string;
}

export const agencyStepRecord = (record: AgencyStepRecord): string => canonicalJson(record as never);

/** A decline reason or closing note: checked at the edge like every free text another party reads. */
export function assertStepText(value: string, field: string, max: number, shape: TextShape): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 && field === 'reason') throw invalid(field, 'must say why the referral is declined');
  if (trimmed.length > max) throw invalid(field, `must be at most ${max} characters`);
  const reason = controlCharacterReason(trimmed, shape);
  if (reason !== undefined) throw invalid(field, reason);
  return trimmed;
}

/** What a `referral` entry's recordSha256 is: base64url SHA-256 of the record as stored, as every entry kind's hashes. */
export function referralRecordSha256(record: string): string {
  return createHash('sha256').update(record, 'utf8').digest('base64url');
}
