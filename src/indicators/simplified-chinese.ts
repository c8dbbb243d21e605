/*
 * Internal to src/indicators: traditional → simplified Chinese, one character at a time.
 *
 * Why per character and not OpenCC's phrase-level conversion: keyword matching
 * needs `normalize(keyword)` to appear inside `normalize(text)` whenever the
 * keyword appears inside the text. Phrase segmentation depends on the
 * neighbouring characters (乾隆 keeps 乾, 乾燥 gives 干燥), so the same keyword
 * could convert differently alone and in context; a per-character map cannot.
 * It also keeps the offset map of normalizeKeywordWithMap exact.
 *
 * The map is OpenCC's HK → mainland chain (HKVariantsRev, then TSCharacters), fed a
 * single character so only single-character entries apply. It folds everything the
 * plain `t` chain folds plus the Hong Kong variants (衞 → 卫, 綫 → 线, 敍 → 叙).
 * The Taiwan chain was not used: its variant table maps the simplified 么 to 幺,
 * which would rewrite mainland text.
 */
import * as OpenCC from 'opencc-js';

const convertChars = OpenCC.Converter({ from: 'hk', to: 'cn' });
const cache = new Map<string, string>();

/** At most this many rounds: the one chain in the tables (薴 → 苧 → 苎) needs two. */
const MAX_ROUNDS = 4;

/** Applies the map until it is stable, so that the result is idempotent. */
function toSimplifiedUncached(char: string): string {
  let current = char;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const next = convertChars(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Simplified form of one code point (returned unchanged when it has none). */
export function toSimplifiedChar(char: string): string {
  // Only Han ideographs have entries; skip the converter for everything else.
  if (!/\p{Script=Han}/u.test(char)) return char;
  let simplified = cache.get(char);
  if (simplified === undefined) {
    simplified = toSimplifiedUncached(char);
    cache.set(char, simplified);
  }
  return simplified;
}
