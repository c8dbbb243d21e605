/*
 * Internal to src/indicators: the rule of keyword normalization, cluster by cluster, and the
 * general (slow) path that applies it to any text. keyword-normalization.ts runs the same rule
 * through tables (keyword-tables.ts) and falls back to `normalizePasses` where a table cannot
 * decide; keyword-normalization.test.ts checks the whole against the implementation this
 * replaced, kept there as the oracle.
 *
 * Per cluster of the input (a base character with the marks that extend it, see `clusterEnd`):
 *   1. NFKC (folds full-width → half-width, ligatures, compatibility ideographs, ①, ㎏ → kg);
 *   2. case fold, as `toUpperCase().toLowerCase()` (full mappings: ß → ss, ſ → s, ς → σ);
 *   3. traditional → simplified Chinese, per character (see simplified-chinese.ts);
 *   4. NFKC again, since steps 2–3 may leave decomposed or compatibility forms;
 *   5. drop every code point in STRIPPED below.
 * The whole pass is repeated until its output no longer changes, because dropping a
 * character can join two clusters into one that NFKC composes differently
 * (`e`, ZWSP, U+0301 → `e` U+0301 → `é`). The result is therefore idempotent.
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
export const MAX_PASSES = 4;

/**
 * Code points that attach to the one before them: marks, grapheme extenders,
 * the Hangul vowel/final jamo that NFC composes into a syllable, and U+16D67
 * (a Kirat Rai vowel that composes but is a letter). These are exactly the
 * places where NFC composes across code points (checked over every code point
 * with the ICU of Node 20.20, Unicode 17).
 */
const ATTACHES = /^[\p{M}\p{Grapheme_Extend}\u1160-\u11FF\uD7B0-\uD7FF\u{16D67}]$/u;

/** Also true when NFKC turns `char` (one code point) into something that attaches (ﾞ → U+3099, ㅏ → ᅡ, ำ → ํา). */
export function extendsCluster(char: string): boolean {
  if (ATTACHES.test(char)) return true;
  const first = char.normalize('NFKC').codePointAt(0);
  return first !== undefined && ATTACHES.test(String.fromCodePoint(first));
}

/**
 * Where the cluster starting at `index` ends: a code point plus every code point after it
 * that `extendsCluster`. Not full UAX #29 grapheme clusters on purpose: Intl.Segmenter is
 * quadratic on long strings in V8 (12 s for a 68 kB listing), and composition only needs
 * the rule above.
 */
export function clusterEnd(text: string, index: number): number {
  let end = index + codePointLength(text, index);
  while (end < text.length) {
    const length = codePointLength(text, end);
    if (!extendsCluster(text.slice(end, end + length))) break;
    end += length;
  }
  return end;
}

function codePointLength(text: string, index: number): number {
  return (text.codePointAt(index) as number) > 0xffff ? 2 : 1;
}

/** The normalized form of one cluster, on its own. */
export function normalizeCluster(cluster: string): string {
  const folded = cluster.normalize('NFKC').toUpperCase().toLowerCase();
  let simplified = '';
  for (const char of folded) simplified += toSimplifiedChar(char);
  let kept = '';
  for (const char of simplified.normalize('NFKC')) {
    if (!STRIPPED.test(char)) kept += char;
  }
  return kept;
}

/** One pass over `text`: the normalized clusters, and for each output unit the [start, end) of its cluster. */
export function normalizePass(text: string): { normalized: string; starts: number[]; ends: number[] } {
  let normalized = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let start = 0; start < text.length; ) {
    const end = clusterEnd(text, start);
    const out = normalizeCluster(text.slice(start, end));
    for (let i = 0; i < out.length; i += 1) {
      starts.push(start);
      ends.push(end);
    }
    normalized += out;
    start = end;
  }
  return { normalized, starts, ends };
}

export interface PassesResult {
  normalized: string;
  starts: number[];
  ends: number[];
  /** Passes after the first that changed the text (0–3). */
  changed: number;
  /** Whether the output of every pass was empty or began with a code point that does not extend a cluster. */
  startsClean: boolean;
}

/**
 * The rule applied to `text` in full: passes until the output no longer changes, each pass's
 * spans re-expressed in the original; spans are into `text`, shifted by `offset`.
 */
export function normalizePasses(text: string, offset = 0): PassesResult {
  let { normalized, starts, ends } = normalizePass(text);
  let startsClean = beginsClean(normalized);
  let changed = 0;
  for (let pass = 1; pass < MAX_PASSES; pass += 1) {
    const next = normalizePass(normalized);
    if (next.normalized === normalized) break;
    [starts, ends] = composeSpans(starts, ends, next.starts, next.ends);
    normalized = next.normalized;
    startsClean &&= beginsClean(normalized);
    changed += 1;
  }
  if (offset !== 0) for (let i = 0; i < starts.length; i += 1) [starts[i], ends[i]] = [starts[i]! + offset, ends[i]! + offset];
  return { normalized, starts, ends, changed, startsClean };
}

function beginsClean(text: string): boolean {
  return text.length === 0 || !extendsCluster(String.fromCodePoint(text.codePointAt(0)!));
}

/** Re-expresses spans into the output of the earlier pass (`inner`) as spans into the original (`outer`). */
function composeSpans(outerStarts: readonly number[], outerEnds: readonly number[], innerStarts: readonly number[], innerEnds: readonly number[]): [number[], number[]] {
  return [innerStarts.map((start) => outerStarts[start]!), innerEnds.map((end) => outerEnds[end - 1]!)];
}
