import { createHash } from 'node:crypto';
import type { IndicatorType } from './vocabulary.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The identity of an indicator: `base64url(SHA-256(JCS({type, value})))`
 * (design.md "Indicators"; JCS is RFC 8785). The same keyword or seller
 * published by two members is one indicator, so this is the join key for
 * cross-platform correlation.
 *
 * The JCS text is written out directly rather than through a generic canonicalizer (it is on
 * the ingest hot path, once per indicator): the keys `type` < `value` are already in code-unit
 * order, and RFC 8785 §3.2.2.2 serializes strings exactly as ECMAScript `JSON.stringify` does,
 * for well-formed strings; a lone surrogate has no JCS form and is refused.
 *
 * `value` must already be valid and normalized (see `parseIndicatorValue`):
 * hashing a raw keyword would give a different id than its normalized form.
 * @example indicatorId('KEYWORD', '象牙') // 43 base64url characters
 */
export function indicatorId(type: IndicatorType, value: string): string {
  if (LONE_SURROGATE.test(value)) throw new TypeError('an indicator value with a lone surrogate has no JCS form');
  // digest('base64url') straight from the hash: a third of the cost of digest() then re-encoding.
  return createHash('sha256').update(`{"type":${JSON.stringify(type)},"value":${JSON.stringify(value)}}`).digest('base64url');
}
