/**
 * The `value` of an indicator, per type (design.md "Indicators"). Values are
 * checked in the exact form they are signed and hashed in, so nothing is
 * silently rewritten: a value in the wrong form is refused, not fixed.
 */
import { InvalidIndicatorError } from './errors.js';
import { normalizeKeyword } from './keyword-normalization.js';
import { parseSellerFingerprint } from './seller-fingerprint.js';
import type { IndicatorType } from './vocabulary.js';
import { UnreachableCaseError } from '../kernel/index.js';

/** Longest published keyword, in code points. */
export const MAX_KEYWORD_LENGTH = 200;
/** Longest text a keyword is made from (and kept as `original`), in UTF-16 units. */
export const MAX_KEYWORD_TEXT_LENGTH = 1000;

const LOWER_HEX_256 = /^[0-9a-f]{64}$/;
const ANY_CASE_HEX_256 = /^[0-9a-fA-F]{64}$/;

/** PDQ and SHA-256 are both 256 bits as 64 lower-case hex digits. */
function parseHex256(raw: string, what: string): string {
  if (LOWER_HEX_256.test(raw)) return raw;
  // Refused rather than lower-cased: the design fixes lower case, and a signed value is taken as signed.
  const reason = ANY_CASE_HEX_256.test(raw) ? 'must be lower-case hex' : 'must be 64 hex digits';
  throw new InvalidIndicatorError('value', `${what} ${reason}`);
}

function checkKeywordLength(keyword: string, field: string): void {
  if (keyword === '') throw new InvalidIndicatorError(field, 'keyword is empty after normalization');
  // `.length` counts UTF-16 units, an upper bound on code points: skip the count when it is small.
  if (keyword.length > MAX_KEYWORD_LENGTH && [...keyword].length > MAX_KEYWORD_LENGTH) {
    throw new InvalidIndicatorError(field, `keyword longer than ${MAX_KEYWORD_LENGTH} characters`);
  }
}

function parseKeyword(raw: string): string {
  // Bound the work before normalizing attacker-sized input (4 units per code point is generous).
  if (raw.length > 4 * MAX_KEYWORD_LENGTH) {
    throw new InvalidIndicatorError('value', `keyword longer than ${MAX_KEYWORD_LENGTH} characters`);
  }
  checkKeywordLength(raw, 'value');
  if (normalizeKeyword(raw) !== raw) throw new InvalidIndicatorError('value', 'keyword is not in normalized form');
  return raw;
}

/**
 * Checks that `raw` is a valid value for `type` and returns it. Throws
 * INVALID_INDICATOR with `field: 'value'`.
 * @example parseIndicatorValue('IMAGE_SHA256', 'e3b0c442…b855') // the same string
 */
export function parseIndicatorValue(type: IndicatorType, raw: unknown): string {
  if (typeof raw !== 'string') throw new InvalidIndicatorError('value', 'must be a string');
  switch (type) {
    case 'KEYWORD':
      return parseKeyword(raw);
    case 'SELLER':
      parseSellerFingerprint(raw);
      return raw;
    case 'IMAGE_PDQ':
      return parseHex256(raw, 'PDQ hash');
    case 'IMAGE_SHA256':
      return parseHex256(raw, 'SHA-256');
    default:
      throw new UnreachableCaseError(type);
  }
}

/**
 * The KEYWORD value for a platform's text: normalizes it, then checks it is
 * publishable. Throws INVALID_INDICATOR with `field: 'text'`.
 * @example keywordFromText('象 牙 手鐲') === '象牙手镯'
 */
export function keywordFromText(text: string): string {
  if (text.length > MAX_KEYWORD_TEXT_LENGTH) {
    throw new InvalidIndicatorError('text', `longer than ${MAX_KEYWORD_TEXT_LENGTH} characters`);
  }
  const keyword = normalizeKeyword(text);
  checkKeywordLength(keyword, 'text');
  return keyword;
}
