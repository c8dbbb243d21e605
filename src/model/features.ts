/**
 * Features of a listing, from its text as the federation's keyword matching sees it
 * (`normalizeKeyword`: NFKC, case fold, traditional → simplified, evasive spacing and punctuation
 * removed), so that `象 牙` and `象牙` weigh the same:
 * - `c:` character n-grams of the normalized text, over code points, in any script;
 * - `w:` words: Chinese words from `Intl.Segmenter('zh', {granularity: 'word'})` (ICU's
 *   dictionary, in the runtime, no dependency) and Latin words at the same segmenter's
 *   boundaries, each normalized;
 * - `k:` / `g:` the federation's keyword hits and the warninglists that hold one back, and one
 *   feature for "any keyword hit" and "any warninglist hit".
 * Each distinct feature counts once; a text's vector is scaled to unit length, so a long post
 * does not score high for being long. Pure.
 */
import { normalizeKeyword } from '../indicators/index.js';
import { featureIndex } from './feature-hash.js';

export interface FeatureConfig {
  /** Weights in the hashed space: 2^bits. */
  readonly bits: number;
  /** Smallest and largest character n-gram, or null for none. */
  readonly charNgrams: readonly [number, number] | null;
  readonly words: boolean;
  /** Keyword and warninglist hit features. */
  readonly hits: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = Object.freeze({ bits: 20, charNgrams: [1, 4] as const, words: true, hits: true });
/** The baseline the model is measured against: the same trainer over character n-grams alone. */
export const CHAR_NGRAM_FEATURES: FeatureConfig = Object.freeze({ bits: 20, charNgrams: [1, 4] as const, words: false, hits: false });

/** What the federation's lists say about a listing (the node's index, or a keyword file). */
export interface ListingHits {
  /** Normalized keywords found in the text. */
  readonly keywords?: readonly string[];
  /** Names of the warninglists that hold a hit back. */
  readonly warninglists?: readonly string[];
}

export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** The normalized words of a text, in order (duplicates kept). */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const s of segmenter.segment(text)) {
    if (s.isWordLike !== true) continue;
    const word = normalizeKeyword(s.segment);
    if (word.length > 0) words.push(word);
  }
  return words;
}

/** Character n-grams of a normalized text, n from min to max, over code points. */
export function charNgrams(normalized: string, min: number, max: number): string[] {
  const chars = Array.from(normalized);
  const grams: string[] = [];
  for (let n = min; n <= max; n++) for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(''));
  return grams;
}

/** The distinct feature names of a listing. */
export function featureTerms(text: string, config: FeatureConfig, hits: ListingHits = {}): string[] {
  const terms = new Set<string>();
  if (config.charNgrams !== null) {
    const [min, max] = config.charNgrams;
    for (const g of charNgrams(normalizeKeyword(text), min, max)) terms.add(`c:${g}`);
  }
  if (config.words) for (const w of wordsOf(text)) terms.add(`w:${w}`);
  if (config.hits) {
    for (const k of hits.keywords ?? []) terms.add(`k:${k}`);
    if ((hits.keywords ?? []).length > 0) terms.add('k:*');
    for (const g of hits.warninglists ?? []) terms.add(`g:${g}`);
    if ((hits.warninglists ?? []).length > 0) terms.add('g:*');
  }
  return [...terms];
}

/** Hashes feature names into a unit-length sparse vector (colliding features add up). */
export function vectorize(terms: readonly string[], bits: number): SparseVector {
  const sums = hashCounts(terms, bits);
  const indices = new Int32Array(sums.size);
  const values = new Float32Array(sums.size);
  const scale = unitScale(sums);
  let j = 0;
  for (const [i, v] of sums) {
    indices[j] = i;
    values[j++] = v * scale;
  }
  return { indices, values };
}

/** Features per weight index (colliding features add up). */
export function hashCounts(terms: readonly string[], bits: number): Map<number, number> {
  const sums = new Map<number, number>();
  for (const t of terms) {
    const i = featureIndex(t, bits);
    sums.set(i, (sums.get(i) ?? 0) + 1);
  }
  return sums;
}

/** The factor that makes a vector of these counts unit length. */
export function unitScale(counts: Map<number, number>): number {
  let norm = 0;
  for (const v of counts.values()) norm += v * v;
  return norm > 0 ? 1 / Math.sqrt(norm) : 0;
}

export function featurize(text: string, config: FeatureConfig, hits?: ListingHits): SparseVector {
  return vectorize(featureTerms(text, config, hits), config.bits);
}

/** Keywords of a list found in a text, both normalized as the keyword automaton does (substring of the normalized text). */
export function keywordHits(normalizedKeywords: readonly string[], text: string): string[] {
  const normalized = normalizeKeyword(text);
  return normalizedKeywords.filter((k) => k.length > 0 && normalized.includes(k));
}
