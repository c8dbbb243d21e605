import canonicalize from 'canonicalize';
import { sha256Base64url } from '../kernel/index.js';
import type { IndicatorType } from './vocabulary.js';

/**
 * The identity of an indicator: `base64url(SHA-256(JCS({type, value})))`
 * (design.md "Indicators"; JCS is RFC 8785). The same keyword or seller
 * published by two members is one indicator, so this is the join key for
 * cross-platform correlation.
 *
 * `value` must already be valid and normalized (see `parseIndicatorValue`):
 * hashing a raw keyword would give a different id than its normalized form.
 * @example indicatorId('KEYWORD', '象牙') // 43 base64url characters
 */
export function indicatorId(type: IndicatorType, value: string): string {
  const canonical = canonicalize({ type, value });
  // canonicalize only returns undefined for undefined/function input, never for two strings.
  if (canonical === undefined) throw new TypeError('JCS produced no output for an indicator identity');
  return sha256Base64url(canonical);
}
