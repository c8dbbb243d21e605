/**
 * Keyword normalization (design.md "Keyword normalization"): the form in which
 * keywords are published, compared and matched.
 *
 * Per cluster of the input (a base character with the marks that extend it, see `clusters`):
 *   1. NFKC (folds full-width → half-width, ligatures, compatibility ideographs, ①, ㎏ → kg);
 *   2. case fold, as `toUpperCase().toLowerCase()` (full mappings: ß → ss, ſ → s, ς → σ);
 *   3. traditional → simplified Chinese, per character (see simplified-chinese.ts);
 *   4. NFKC again, since steps 2–3 may leave decomposed or compatibility forms;
 *   5. drop every code point in STRIPPED below.
 * The whole pass is repeated until its output no longer changes, because dropping a
 * character can join two clusters into one that NFKC composes differently
 * (`e`, ZWSP, U+0301 → `e` U+0301 → `é`). The result is therefore idempotent:
 * `normalizeKeyword(normalizeKeyword(x)) === normalizeKeyword(x)`, which is what
 * the KEYWORD validator relies on.
 *
 * Working per cluster (never across two) is what lets every output code unit
 * point back at the exact span of the original text it came from.
 * The result depends on the Unicode version of the runtime's ICU (Node 20+).
 */
import { toSimplifiedChar } from './simplified-chinese.js';

/**
 * Removed as filter-evasion noise: white space; all punctuation (P*: `-`, `.`, `*`,
 * `·`, `、`); all symbols (S*: `+`, `$`, `|`, `~`, emoji, emoji modifiers);
 * controls, format characters (ZWSP, ZWNJ, ZWJ, BOM, soft hyphen, bidi marks, tags),
 * lone surrogates, enclosing marks (keycap ⃣) and every default-ignorable code
 * point (variation selectors, Hangul fillers, combining grapheme joiner).
 * Letters, digits and non-enclosing combining marks are kept. A keyword made only
 * of emoji therefore normalizes to '' and cannot be published.
 */
const STRIPPED = /^[\p{White_Space}\p{P}\p{S}\p{Cc}\p{Cf}\p{Cs}\p{Me}\p{Default_Ignorable_Code_Point}]$/u;

/** In every case seen, the second pass is the last to change anything; the cap only bounds the work. */
const MAX_PASSES = 4;

/** [start, end) in UTF-16 code units of the original text. */
export type Span = readonly [start: number, end: number];

export interface NormalizedKeyword {
  readonly normalized: string;
  /** One entry per UTF-16 code unit of `normalized`: the span of the original it came from. */
  readonly spans: readonly Span[];
}

/**
 * Code points that attach to the one before them: marks, grapheme extenders,
 * the Hangul vowel/final jamo that NFC composes into a syllable, and U+16D67
 * (a Kirat Rai vowel that composes but is a letter). These are exactly the
 * places where NFC composes across code points (checked over every code point
 * with the ICU of Node 20.20, Unicode 17).
 */
const ATTACHES = /^[\p{M}\p{Grapheme_Extend}\u1160-\u11FF\uD7B0-\uD7FF\u{16D67}]$/u;

/** Also true when NFKC turns `char` into something that attaches (ﾞ → U+3099, ㅏ → ᅡ, ำ → ํา). */
function extendsCluster(char: string): boolean {
  if (ATTACHES.test(char)) return true;
  const first = char.normalize('NFKC').codePointAt(0);
  return first !== undefined && ATTACHES.test(String.fromCodePoint(first));
}

/**
 * Splits `text` into clusters: a code point plus every code point after it that
 * `extendsCluster`. Not full UAX #29 grapheme clusters on purpose: Intl.Segmenter is
 * quadratic on long strings in V8 (12 s for a 68 kB listing), and composition
 * only needs the rule above.
 */
function* clusters(text: string): Generator<{ segment: string; index: number }> {
  let start = 0;
  let index = 0;
  while (index < text.length) {
    const char = String.fromCodePoint(text.codePointAt(index) as number);
    if (index > start && !extendsCluster(char)) {
      yield { segment: text.slice(start, index), index: start };
      start = index;
    }
    index += char.length;
  }
  if (index > start) yield { segment: text.slice(start, index), index: start };
}

function normalizeCluster(cluster: string): string {
  const folded = cluster.normalize('NFKC').toUpperCase().toLowerCase();
  let simplified = '';
  for (const char of folded) simplified += toSimplifiedChar(char);
  let kept = '';
  for (const char of simplified.normalize('NFKC')) {
    if (!STRIPPED.test(char)) kept += char;
  }
  return kept;
}

/** One pass over `text`; spans refer to `text`. */
function normalizePass(text: string): { normalized: string; spans: Span[] } {
  let normalized = '';
  const spans: Span[] = [];
  for (const { segment, index } of clusters(text)) {
    const out = normalizeCluster(segment);
    const span: Span = [index, index + segment.length];
    for (let i = 0; i < out.length; i += 1) spans.push(span);
    normalized += out;
  }
  return { normalized, spans };
}

/** Re-expresses spans into `inner` (the output of the earlier pass) as spans into the original. */
function composeSpans(outer: readonly Span[], inner: readonly Span[]): Span[] {
  return inner.map(([start, end]) => [(outer[start] as Span)[0], (outer[end - 1] as Span)[1]] as const);
}

/**
 * Normalizes `text` and maps every UTF-16 code unit of the result back to the
 * original, so that a match found in the normalized text can be reported at
 * its position in what the platform saw (see `originalRange`).
 * @example normalizeKeywordWithMap('象-牙').spans → [[0, 1], [2, 3]]
 */
export function normalizeKeywordWithMap(text: string): NormalizedKeyword {
  let { normalized, spans } = normalizePass(text);
  for (let pass = 1; pass < MAX_PASSES; pass += 1) {
    const next = normalizePass(normalized);
    if (next.normalized === normalized) break;
    spans = composeSpans(spans, next.spans);
    normalized = next.normalized;
  }
  return { normalized, spans };
}

/**
 * The normalized form of a keyword or text.
 * @example normalizeKeyword('象 牙 手鐲') === '象牙手镯'; normalizeKeyword('ＩＶＯＲＹ') === 'ivory'
 */
export function normalizeKeyword(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase().replace(ASCII_STRIPPED, '');
  return normalizeKeywordWithMap(text).normalized;
}

/**
 * The fast path for ASCII text (every KEYWORD of a batch is checked with `normalizeKeyword`):
 * ASCII is NFKC-stable, has no Han characters and nothing that attaches, so the passes above
 * reduce to lower-casing and dropping everything but letters and digits, which in ASCII are
 * exactly White_Space, P*, S* and Cc. keyword-normalization.test.ts checks it against the full
 * pass for every ASCII character and for random ASCII strings.
 */
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_STRIPPED = /[^a-z0-9]/g;

/**
 * The span of the original text behind `[start, end)` of the normalized text.
 * Throws a RangeError for an empty or out-of-bounds range (a caller's bug).
 */
export function originalRange(map: NormalizedKeyword, start: number, end: number): Span {
  const first = map.spans[start];
  const last = map.spans[end - 1];
  if (!Number.isInteger(start) || first === undefined || last === undefined || end <= start) {
    throw new RangeError(`no normalized range [${start}, ${end}) in a text of ${map.spans.length} code units`);
  }
  return [first[0], last[1]];
}
