/**
 * The records of a disclosure, each committed to the log by a `disclosure` entry
 * `{step, requestId, recordSha256}` where recordSha256 is base64url SHA-256 of the record's bytes
 * exactly as stored (a compact JWS, or RFC 8785 JSON for the hub's own records):
 *
 * | step      | record                                  | signed by                                 |
 * |-----------|-----------------------------------------|-------------------------------------------|
 * | filed     | the request (JWS, typ REQUEST_TYP)      | the agency's own signing key (kid)        |
 * | routed    | RFC 8785 JSON: members asked, expiry    | the hub, through the log's checkpoint      |
 * | delivered | member step (JWS, typ STEP_TYP, x5c)    | the member's certificate                  |
 * | answered  | member step carrying the JWE answer     | the member's certificate                  |
 * | declined  | member step with a reason code          | the member's certificate                  |
 * | retrieved | RFC 8785 JSON: which token read which answer | the hub, bound to the token id        |
 */
import { z } from 'zod';
import { parseRfc3339, canonicalJson } from '../provenance/index.js';
import { controlCharacterReason, sha256Base64url, type TextShape } from '../kernel/index.js';
import { invalid } from './errors.js';

export const REQUEST_TYP = 'wildintel-disclosure-request+jws';
export const STEP_TYP = 'wildintel-disclosure-step+jws';

/**
 * Why a member declines: a closed set, so that auditors can count them. NOT_REPORTED: the member
 * has no record of this seller (its vault holds no such fingerprint); INSUFFICIENT_LEGAL_BASIS:
 * the legal basis does not meet the member's policy or law; OUT_OF_JURISDICTION: the requesting
 * agency has no jurisdiction over the member's data; DATA_NOT_RETAINED: the member deleted the
 * record under its retention rules; DUPLICATE_REQUEST: the same case was already answered; OTHER:
 * see the note.
 */
export const DECLINE_REASONS = ['NOT_REPORTED', 'INSUFFICIENT_LEGAL_BASIS', 'OUT_OF_JURISDICTION', 'DATA_NOT_RETAINED', 'DUPLICATE_REQUEST', 'OTHER'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[A-Za-z0-9_-]{43}$/;
const FINGERPRINT = /^fp1\.[A-Za-z0-9._-]{1,64}\.[A-Za-z0-9_-]{43}$/;
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** Free text another party prints (node requests, disclosure list, evidence): no control characters. */
const freeText = (shape: TextShape) => (value: string, ctx: z.RefinementCtx): void => {
  const reason = controlCharacterReason(value, shape);
  if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
};
const rfc3339 = z.string().max(40).refine((v) => parseRfc3339(v) !== undefined, 'must be an RFC 3339 time');

const requestSchema = z.strictObject({
  v: z.literal(1),
  requestId: z.string().regex(UUID, 'must be a lower-case UUID'),
  agency: z.string().regex(SLUG, 'must be an agency slug'),
  analyst: z.string().min(1).max(128).superRefine(freeText('line')),
  tokenId: z.string().min(1).max(128),
  officer: z.string().trim().min(1, 'must name the requesting officer').max(200).superRefine(freeText('line')),
  caseId: z.string().regex(CASE_ID, 'must be 1–128 of letters, digits and . _ : / - (starting with a letter or digit)'),
  legalBasis: z.strictObject({
    reference: z.string().trim().min(1, 'must give the reference number').max(200).superRefine(freeText('line')),
    text: z.string().trim().min(1, 'must state the legal basis').max(10_000).superRefine(freeText('multiline')),
  }),
  target: z.union([z.strictObject({ fingerprint: z.string().regex(FINGERPRINT, 'must be a seller fingerprint fp1.<keyId>.<hash>') }), z.strictObject({ indicatorId: z.string().regex(SHA256, 'must be an indicator id') })]),
  encryptionKid: z.string().regex(SHA256, "must be the RFC 7638 thumbprint of the agency's encryption key"),
  createdAt: rfc3339,
  expiresAt: rfc3339.optional(),
});
export type DisclosureRequestPayload = z.infer<typeof requestSchema>;

const memberStepBase = {
  v: z.literal(1),
  requestId: z.string().regex(UUID),
  member: z.string().regex(SLUG),
  /** The filed record this step answers, so it cannot be moved onto another request. */
  requestSha256: z.string().regex(SHA256),
  at: rfc3339,
};
const memberStepSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('delivered'), ...memberStepBase }),
  z.strictObject({ step: z.literal('answered'), ...memberStepBase, answer: z.string().min(1).max(64 * 1024) }),
  z.strictObject({ step: z.literal('declined'), ...memberStepBase, reason: z.enum(DECLINE_REASONS), note: z.string().max(500).superRefine(freeText('multiline')).optional() }),
]);
export type MemberStepPayload = z.infer<typeof memberStepSchema>;
export type MemberStep = MemberStepPayload['step'];

export interface RoutedRecord {
  readonly v: 1;
  readonly step: 'routed';
  readonly requestId: string;
  readonly requestSha256: string;
  /** The SELLER indicator and its fingerprint (a node checks that one is the id of the other). */
  readonly indicatorId: string;
  readonly fingerprint: string;
  /** Members asked: those with a live sighting of the seller visible to the requesting token. */
  readonly members: readonly string[];
  readonly expiresAt: string;
  readonly at: string;
}

export interface RetrievedRecord {
  readonly v: 1;
  readonly step: 'retrieved';
  readonly requestId: string;
  readonly agency: string;
  readonly analyst: string;
  readonly tokenId: string;
  readonly member: string;
  /** recordSha256 of the `answered` record whose ciphertext was handed over. */
  readonly answerSha256: string;
  readonly at: string;
}

function firstIssue(error: z.ZodError, prefix: string): never {
  const issue = error.issues[0];
  throw invalid(`${prefix}${issue?.path.join('.') ?? ''}`.replace(/\.$/, ''), issue?.message ?? 'is invalid');
}

export function parseRequestPayload(value: unknown): DisclosureRequestPayload {
  const parsed = requestSchema.safeParse(value);
  return parsed.success ? parsed.data : firstIssue(parsed.error, 'request.');
}

export function parseMemberStep(value: unknown): MemberStepPayload {
  const parsed = memberStepSchema.safeParse(value);
  return parsed.success ? parsed.data : firstIssue(parsed.error, 'step.');
}

const routedSchema = z.strictObject({
  v: z.literal(1),
  step: z.literal('routed'),
  requestId: z.string().regex(UUID),
  requestSha256: z.string().regex(SHA256),
  indicatorId: z.string().regex(SHA256),
  fingerprint: z.string().regex(FINGERPRINT),
  members: z.array(z.string().regex(SLUG)).min(1).max(1000),
  expiresAt: rfc3339,
  at: rfc3339,
});

const retrievedSchema = z.strictObject({
  v: z.literal(1),
  step: z.literal('retrieved'),
  requestId: z.string().regex(UUID),
  agency: z.string().regex(SLUG),
  analyst: z.string().min(1).max(128).superRefine(freeText('line')),
  tokenId: z.string().min(1).max(128),
  member: z.string().regex(SLUG),
  answerSha256: z.string().regex(SHA256),
  at: rfc3339,
});

/** A hub record must be its own canonical form (it is hashed as stored). */
function parseHubRecord<T>(record: string, schema: z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    throw invalid(what, 'is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) firstIssue(parsed.error, `${what}.`);
  if (canonicalJson(value) !== record) throw invalid(what, 'is not in RFC 8785 canonical form');
  return parsed.data;
}

export const parseRoutedRecord = (record: string): RoutedRecord => parseHubRecord(record, routedSchema, 'routed') as RoutedRecord;
export const parseRetrievedRecord = (record: string): RetrievedRecord => parseHubRecord(record, retrievedSchema, 'retrieved') as RetrievedRecord;

/** What a `disclosure` entry's recordSha256 is: base64url SHA-256 of the record as stored. */
export function recordSha256(record: string): string {
  return sha256Base64url(record);
}

/** The payload of a compact JWS, unverified: for records already verified, or to say why one fails. */
export function jwsPayload(jws: string): unknown {
  const part = jws.split('.')[1];
  if (part === undefined) throw invalid('record', 'is not a compact JWS');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid('record', 'has no JSON payload');
  }
}
