/**
 * Candidate code words: terms over-represented in listings labelled suspicious against the rest.
 * Units are Latin words and Chinese words (the segmenter in features.ts) and character 2–4-grams
 * of runs outside ASCII (a new Chinese code word the segmenter's dictionary does not know, such as
 * 白货, is still two or three characters that keep turning up together). Each listing counts a
 * term once.
 * - support: labelled-suspicious listings that contain the term;
 * - lift: the share of suspicious listings among those with the term, over the share overall
 *   (1 = no signal; 1/base rate = every listing with it was suspicious).
 * Ranked by support / (listings with the term + 5): a precision shrunk towards 0 as if every term
 * had been seen in five more listings that were not suspicious, so a term seen eight times in
 * sales does not outrank one seen forty times with a single innocent use; then by support. A term that contains, or is contained in, a better-ranked term or
 * one of the `exclude` list (the federation's keywords and warninglist entries) is dropped: it is
 * the same signal again. Pure.
 */
import { normalizeKeyword } from '../indicators/index.js';
import { charNgrams, wordsOf } from './features.js';

export interface TermCandidate {
  readonly term: string;
  readonly lift: number;
  readonly support: number;
}

export interface TermOptions {
  readonly top: number;
  readonly minSupport: number;
  /** Normalized keywords and warninglist entries the federation already has. */
  readonly exclude?: readonly string[];
}

export const DEFAULT_TERM_OPTIONS = Object.freeze({ top: 20, minSupport: 3 });

/** See the ranking above. */
const RANK_PRIOR = 5;
const ASCII_WORD = /^[a-z0-9]+$/;
const NON_ASCII_RUN = /[^\x00-\x7f]+/g;

/** The distinct candidate units of one listing. */
export function termUnits(text: string): Set<string> {
  const units = new Set<string>();
  for (const w of wordsOf(text)) {
    const ascii = ASCII_WORD.test(w);
    if ((ascii && w.length >= 3 && !/^[0-9]+$/.test(w)) || (!ascii && Array.from(w).length >= 2)) units.add(w);
  }
  for (const run of normalizeKeyword(text).match(NON_ASCII_RUN) ?? []) for (const g of charNgrams(run, 2, 4)) units.add(g);
  return units;
}

export function candidateTerms(listings: ReadonlyArray<{ readonly text: string; readonly label: boolean }>, options: TermOptions): TermCandidate[] {
  const counts = new Map<string, { all: number; pos: number }>();
  let positives = 0;
  for (const l of listings) {
    if (l.label) positives++;
    for (const u of termUnits(l.text)) {
      const c = counts.get(u);
      if (c === undefined) counts.set(u, { all: 1, pos: l.label ? 1 : 0 });
      else {
        c.all++;
        if (l.label) c.pos++;
      }
    }
  }
  if (positives === 0) return [];
  const baseRate = positives / listings.length;
  const ranked = [...counts]
    .filter(([, c]) => c.pos >= options.minSupport && c.pos / c.all > baseRate)
    .map(([term, c]) => ({ term, support: c.pos, lift: c.pos / c.all / baseRate, rank: c.pos / (c.all + RANK_PRIOR) }))
    .sort((x, y) => y.rank - x.rank || y.support - x.support || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
  const taken: string[] = [...(options.exclude ?? [])].filter((e) => e.length > 0);
  const out: TermCandidate[] = [];
  for (const r of ranked) {
    if (out.length >= options.top) break;
    if (taken.some((t) => t.includes(r.term) || r.term.includes(t))) continue;
    taken.push(r.term);
    out.push({ term: r.term, lift: Math.round(r.lift * 1000) / 1000, support: r.support });
  }
  return out;
}
