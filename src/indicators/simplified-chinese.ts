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
 * The map is OpenCC's HK → mainland chain (`hk2s`: CJK compatibility ideographs, then
 * HKVariantsRev, then TSCharacters), applied to a single character, so only the
 * single-character entries of its dictionaries apply. It folds everything the plain `t`
 * chain folds plus the Hong Kong variants (衞 → 卫, 綫 → 线, 敍 → 叙). The Taiwan chain
 * was not used: its variant table maps the simplified 么 to 幺, which would rewrite
 * mainland text.
 *
 * The dictionaries are read once into one table from code point to code point, composed
 * through the chain and iterated to a fixed point; running OpenCC's converter per character
 * (a trie of Maps, a string per call) made this the slowest step of normalization.
 * simplified-chinese.test.ts checks the table against that converter for every Han code point.
 */
import { configs } from 'opencc-js/preset/t2cn';

/** opencc-js's serialized dictionary: `"from to|from to|…"`, or pairs; a later entry for a key wins. */
type Dictionary = string | readonly (readonly [string, string])[];
interface Chain {
  readonly normalizationChain?: readonly (readonly Dictionary[])[];
  readonly conversionChain: readonly (readonly Dictionary[])[];
}

/** At most this many rounds: the one chain in the tables (薴 → 苧 → 苎) needs two. */
const MAX_ROUNDS = 4;
const HAN = /^\p{Script=Han}$/u;

/** One step of the chain: the single-code-point entries of a dictionary group. */
function singleCharacterEntries(group: readonly Dictionary[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const dictionary of group) {
    const pairs = typeof dictionary === 'string' ? dictionary.split('|').map((line) => line.split(' ')) : dictionary;
    for (const [from, to] of pairs) {
      if (from === undefined || to === undefined) continue;
      const [key, ...restOfKey] = from;
      const [value, ...restOfValue] = to;
      if (key === undefined || value === undefined || restOfKey.length > 0 || restOfValue.length > 0) continue;
      map.set(key.codePointAt(0)!, value.codePointAt(0)!);
    }
  }
  return map;
}

function buildTable(chain: Chain): Map<number, number> {
  const steps = [...(chain.normalizationChain ?? []), ...chain.conversionChain].map(singleCharacterEntries);
  const convert = (cp: number): number => steps.reduce((current, step) => step.get(current) ?? current, cp);
  const table = new Map<number, number>();
  for (const step of steps) {
    for (const from of step.keys()) {
      if (table.has(from) || !HAN.test(String.fromCodePoint(from))) continue;
      let current = from;
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const next = convert(current);
        if (next === current) break;
        current = next;
      }
      if (current !== from) table.set(from, current);
    }
  }
  return table;
}

const simplifiedOf = buildTable(configs['hk2s'] as Chain);

/** Simplified form of one code point (returned unchanged when it has none). */
export function toSimplifiedChar(char: string): string {
  const cp = char.codePointAt(0);
  if (cp === undefined || char.length > (cp > 0xffff ? 2 : 1)) return char;
  const simplified = simplifiedOf.get(cp);
  return simplified === undefined ? char : String.fromCodePoint(simplified);
}
