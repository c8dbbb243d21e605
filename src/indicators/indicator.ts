/**
 * The indicator as it travels in a signed batch payload (design.md "Indicators",
 * "Formats" item 2), and its strict parser. Every field is attacker-controlled
 * until `parseIndicator` returns: unknown fields are refused, every string is
 * bounded, and `context` holds only its three small typed fields.
 */
import { z } from 'zod';
import { findUnsafeText } from '../kernel/index.js';
import { InvalidIndicatorError } from './errors.js';
import { MAX_KEYWORD_TEXT_LENGTH, parseIndicatorValue } from './indicator-value.js';
import { normalizeKeyword } from './keyword-normalization.js';
import { isListingPseudonym, MAX_ITEM_LISTINGS } from './listing-pseudonym.js';
import { parseRfc3339 } from './timestamp.js';
import { COMMODITIES, INDICATOR_TYPES, PURPOSES } from './vocabulary.js';
import type { Commodity, Purpose } from './vocabulary.js';

/** PDQ hashes with a quality under this are weak and flagged (design.md, and upstream PDQ advice). */
export const PDQ_WEAK_QUALITY = 50;

/** Small typed extras; never raw personal data, hence no free-text field. */
export interface IndicatorContext {
  /** BCP 47 language tag, e.g. `zh`, `zh-Hant`, `en-US`. */
  language?: string;
  /** A slug naming where on the platform it was seen, e.g. `marketplace`, `live-stream`. */
  platformSection?: string;
  listingCount?: number;
}

interface IndicatorCommon {
  value: string;
  commodity: Commodity;
  /** Scientific name: `Genus species` or `Genus species subspecies`. */
  species?: string;
  purpose?: Purpose;
  /** RFC 3339, as signed. */
  observedAt: string;
  /** 0–100. */
  confidence: number;
  /** RFC 3339, strictly after `observedAt`. */
  expiresAt?: string;
  context?: IndicatorContext;
  /**
   * Listing pseudonyms (listing-pseudonym.ts) of the listings it was seen in, sorted and unique:
   * what the hub links indicators by. Absent in batches from before listings were sent.
   */
  listings?: string[];
}

export type KeywordIndicator = IndicatorCommon & {
  type: 'KEYWORD';
  /** The text the platform saw; `normalizeKeyword(original) === value`. */
  original?: string;
};
export type SellerIndicator = IndicatorCommon & { type: 'SELLER' };
/** `quality` 0–100; under PDQ_WEAK_QUALITY is weak. */
export type PdqIndicator = IndicatorCommon & { type: 'IMAGE_PDQ'; quality?: number };
export type Sha256Indicator = IndicatorCommon & { type: 'IMAGE_SHA256' };
export type PublishedIndicator = KeywordIndicator | SellerIndicator | PdqIndicator | Sha256Indicator;

const SPECIES = /^[A-Z][a-z]+ [a-z]+(?:-[a-z]+)*(?: [a-z]+(?:-[a-z]+)*)?$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const timestamp = z
  .string()
  .max(40)
  .refine((value) => parseRfc3339(value) !== undefined, 'must be an RFC 3339 timestamp such as 2026-03-01T12:00:00Z');
const score = z.int().min(0).max(100);

const wireSchema = z.strictObject({
  type: z.enum(INDICATOR_TYPES),
  value: z.string().max(MAX_KEYWORD_TEXT_LENGTH),
  commodity: z.enum(COMMODITIES),
  species: z.string().max(100).regex(SPECIES, 'must be a scientific name: Genus species [subspecies]').optional(),
  purpose: z.enum(PURPOSES).optional(),
  observedAt: timestamp,
  confidence: score,
  expiresAt: timestamp.optional(),
  quality: score.optional(),
  context: z
    .strictObject({
      language: z.string().max(35).regex(LANGUAGE, 'must be a BCP 47 language tag').optional(),
      platformSection: z.string().regex(SLUG, 'must be a slug of [a-z0-9_-], at most 64').optional(),
      listingCount: z.int().min(0).max(1_000_000_000).optional(),
    })
    .optional(),
  original: z.string().min(1).max(MAX_KEYWORD_TEXT_LENGTH).optional(),
  listings: z
    .array(z.string().max(80).refine(isListingPseudonym, 'must be a listing pseudonym lp1.<keyId>.<43 base64url characters>, never a raw listing id'))
    .min(1)
    .max(MAX_ITEM_LISTINGS)
    // One spelling per set, so that the same item always signs to the same bytes.
    .refine((l) => l.every((v, i) => i === 0 || l[i - 1]! < v), 'must be sorted and without repeats')
    .optional(),
});
type Wire = z.infer<typeof wireSchema>;

/** The first zod issue, as the field it names and why. */
function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: 'indicator', reason: 'invalid' };
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return { field: [...path, issue.keys[0] ?? ''].join('.'), reason: 'unknown field' };
  }
  return { field: path.length === 0 ? 'indicator' : path.join('.'), reason: issue.message };
}

function parseWire(input: unknown, index: number): Wire {
  // Text no store can hold (a NUL, a lone surrogate) is refused for good here, in any field,
  // before a database or the canonical encoder meets it and fails as if it were worth retrying.
  const unsafe = findUnsafeText(input);
  if (unsafe !== undefined) throw new InvalidIndicatorError(unsafe.path === '(value)' ? 'indicator' : unsafe.path, unsafe.reason, { index });
  const result = wireSchema.safeParse(input, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined),
  });
  if (result.success) return result.data;
  const { field, reason } = firstIssue(result.error);
  throw new InvalidIndicatorError(field, reason, { index, cause: result.error });
}

/** The cross-field rules zod does not express; throws the field at fault. */
function checkRules(wire: Wire): void {
  if (wire.quality !== undefined && wire.type !== 'IMAGE_PDQ') {
    throw new InvalidIndicatorError('quality', 'only IMAGE_PDQ indicators have a quality');
  }
  if (wire.original !== undefined && wire.type !== 'KEYWORD') {
    throw new InvalidIndicatorError('original', 'only KEYWORD indicators keep the original text');
  }
  if (wire.original !== undefined && normalizeKeyword(wire.original) !== wire.value) {
    throw new InvalidIndicatorError('original', 'does not normalize to value');
  }
  const observed = parseRfc3339(wire.observedAt) as number;
  if (wire.expiresAt !== undefined && (parseRfc3339(wire.expiresAt) as number) <= observed) {
    throw new InvalidIndicatorError('expiresAt', 'must be after observedAt');
  }
}

/** Narrows to the union member of its type, dropping fields other types do not carry. */
function toPublished(wire: Wire): PublishedIndicator {
  const { type, quality, original, ...common } = wire;
  switch (type) {
    case 'KEYWORD':
      return original === undefined ? { ...common, type } : { ...common, type, original };
    case 'IMAGE_PDQ':
      return quality === undefined ? { ...common, type } : { ...common, type, quality };
    case 'SELLER':
    case 'IMAGE_SHA256':
      return { ...common, type };
  }
}

/**
 * Validates one indicator of a batch payload and returns a fresh, typed copy.
 * Throws INVALID_INDICATOR with details `{index, field, reason}`; `index` is the
 * indicator's position in the batch, echoed so the publisher can find it.
 */
export function parseIndicator(input: unknown, index: number): PublishedIndicator {
  const wire = parseWire(input, index);
  try {
    parseIndicatorValue(wire.type, wire.value);
    checkRules(wire);
  } catch (error) {
    if (!(error instanceof InvalidIndicatorError)) throw error;
    throw new InvalidIndicatorError(error.field, error.reason, { index, cause: error });
  }
  return toPublished(wire);
}

/** Whether a PDQ quality counts as weak. */
export function isWeakPdqQuality(quality: number): boolean {
  return quality < PDQ_WEAK_QUALITY;
}
