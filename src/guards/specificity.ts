/**
 * The minimum specificity of a KEYWORD value: the one rule the node (platform API), the hub
 * (ingest) and `wildintel publish` apply before a keyword is signed or accepted. Pure: no I/O,
 * no clock.
 *
 * A keyword is matched as a substring of every scanned listing, so a value that is short or
 * made of shop talk hits ordinary listings everywhere (issue 21: `e`, `包邮`). The rule, on the
 * normalized value (keyword-normalization.ts: no spaces, no punctuation, lower case):
 * 1. SINGLE_CHARACTER: one code point.
 * 2. NO_LETTERS: digits (and marks or symbols) only: prices, sizes, order counts.
 * 3. TOO_SHORT: under MIN_WEIGHT, where an ideograph, kana or hangul syllable weighs 2 (a Han
 *    word is mostly two characters, and one carries about as much as two Latin letters) and any
 *    other letter weighs 1; digits weigh nothing. So Han needs ≥ 2 characters, Latin ≥ 4 letters.
 * 4. GENERIC_ONLY: the letters are wholly covered by generic terms (generic-terms.ts, or a
 *    federation warninglist of generic terms); digits in between do not help (`包邮99`).
 */
import { DEFAULT_GENERIC_TERMS } from './generic-terms.js';

export type BroadRule = 'SINGLE_CHARACTER' | 'NO_LETTERS' | 'TOO_SHORT' | 'GENERIC_ONLY';

export type Specificity = { readonly broad: false } | { readonly broad: true; readonly rule: BroadRule; readonly reason: string };

/** The weight a keyword needs: two ideographs, or four Latin letters. */
export const MIN_WEIGHT = 4;

/** A set of normalized generic terms, compiled once for the coverage check. */
export interface GenericTerms {
  readonly terms: ReadonlySet<string>;
  /** Longest term, in code points: how far the coverage check looks ahead. */
  readonly longest: number;
}

export function compileGenericTerms(terms: Iterable<string>): GenericTerms {
  const set = new Set<string>();
  for (const t of terms) if ([...t].length >= 2) set.add(t);
  let longest = 0;
  for (const t of set) longest = Math.max(longest, [...t].length);
  return { terms: set, longest };
}

export const DEFAULT_GENERIC: GenericTerms = compileGenericTerms(DEFAULT_GENERIC_TERMS);

const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /\p{L}/u;

function weightOf(ch: string): number {
  if (WIDE.test(ch)) return 2;
  return LETTER.test(ch) ? 1 : 0;
}

const NARROW: Specificity = { broad: false };

function broad(rule: BroadRule, reason: string): Specificity {
  return { broad: true, rule, reason };
}

/**
 * Whether the normalized keyword `value` is too broad to publish or match.
 * @example keywordSpecificity('包邮') → { broad: true, rule: 'GENERIC_ONLY', … }
 * @example keywordSpecificity('象牙手镯') → { broad: false }
 */
export function keywordSpecificity(value: string, generic: GenericTerms = DEFAULT_GENERIC): Specificity {
  const chars = [...value];
  if (chars.length <= 1) return broad('SINGLE_CHARACTER', 'is a single character: it would match nearly every listing');
  let weight = 0;
  let letters = 0;
  for (const ch of chars) {
    const w = weightOf(ch);
    weight += w;
    if (w > 0) letters++;
  }
  if (letters === 0) return broad('NO_LETTERS', 'has no letters: numbers alone (prices, sizes, counts) match ordinary listings');
  if (weight < MIN_WEIGHT) return broad('TOO_SHORT', `is too short: at least 2 Chinese characters or ${MIN_WEIGHT} letters are needed`);
  if (coveredByGeneric(chars, generic)) return broad('GENERIC_ONLY', 'is only common words (shipping, stock, price, contact…): it says nothing about wildlife');
  return NARROW;
}

/** Word break over the generic terms; anything that is not a letter may be skipped. */
function coveredByGeneric(chars: readonly string[], generic: GenericTerms): boolean {
  const reach = new Uint8Array(chars.length + 1);
  reach[0] = 1;
  for (let i = 0; i < chars.length; i++) {
    if (reach[i] === 0) continue;
    if (!LETTER.test(chars[i]!)) reach[i + 1] = 1;
    let piece = chars[i]!;
    for (let end = i + 2; end <= Math.min(chars.length, i + generic.longest); end++) {
      piece += chars[end - 1]!;
      if (generic.terms.has(piece)) reach[end] = 1;
    }
  }
  return reach[chars.length] === 1;
}
