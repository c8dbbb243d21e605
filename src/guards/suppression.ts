/**
 * Which keyword hits a warninglist suppresses. One rule for the hub's matchText and the node's
 * /v1/scan; pure. A hit is suppressed, in this order, when
 * 1. its keyword is too broad under the specificity rule (specificity.ts), with the generic terms
 *    of every `generic` list in effect added to the built-in ones: a keyword accepted before the
 *    rule, or before a list grew, stops matching without being retracted;
 * 2. it lies wholly inside an occurrence of a `phrases` entry in the text (spans in UTF-16 code
 *    units of the text as given): `象牙` inside `象牙白`.
 * Suppressed hits are reported with what suppressed them, never silently dropped.
 */
import { KeywordAutomaton } from '../matching/index.js';
import { DEFAULT_GENERIC_TERMS } from './generic-terms.js';
import { compileGenericTerms, keywordSpecificity, type GenericTerms } from './specificity.js';
import { listsInEffect, type Warninglist } from './warninglist.js';

/** What suppressed a hit: a list, its version and its entry; or the specificity rule (`list` SPECIFICITY_LIST, `entry` the rule). */
export interface SuppressedBy {
  readonly list: string;
  readonly version: number;
  readonly entry: string;
}

/** The name the specificity rule goes by in a SuppressedBy. */
export const SPECIFICITY_LIST = 'keyword-specificity';

export interface SpannedHit {
  readonly keyword: string;
  readonly start: number;
  readonly end: number;
}

export interface CompiledWarninglists {
  readonly lists: readonly Warninglist[];
  /** Suppression of each hit, in order; undefined where the hit stands. */
  suppress(text: string, hits: readonly SpannedHit[]): Array<SuppressedBy | undefined>;
}

interface PhraseRef {
  readonly list: string;
  readonly version: number;
  readonly entry: string;
}

export function compileWarninglists(lists: Iterable<Warninglist>): CompiledWarninglists {
  const effective = listsInEffect(lists);
  const phrases = new KeywordAutomaton();
  const refs = new Map<string, PhraseRef>();
  for (const l of effective) {
    if (l.kind !== 'phrases') continue;
    l.entries.forEach((entry, i) => {
      const id = `${l.name}/${i}`;
      phrases.add(id, entry);
      refs.set(id, { list: l.name, version: l.version, entry });
    });
  }
  const broad = broadKeywords(effective);
  // A hit can lie inside a phrase only if its keyword is a substring of that phrase: most
  // keywords are of none, and then the text need not be scanned for phrases at all.
  const entries = [...new Set([...refs.values()].map((r) => r.entry))];
  const inSomePhrase = new Map<string, boolean>();
  const mayBeInside = (keyword: string): boolean => {
    let known = inSomePhrase.get(keyword);
    if (known === undefined) inSomePhrase.set(keyword, (known = entries.some((e) => e.includes(keyword))));
    return known;
  };
  return {
    lists: effective,
    suppress(text, hits) {
      if (hits.length === 0) return [];
      const found = hits.some((h) => mayBeInside(h.keyword)) ? phrases.match(text) : [];
      return hits.map((h) => {
        const rule = broad(h.keyword);
        if (rule !== undefined) return rule;
        const inside = found.find((p) => p.start <= h.start && h.end <= p.end);
        return inside === undefined ? undefined : refs.get(inside.id);
      });
    },
  };
}

/** Memoized: a keyword's verdict does not change while the lists do not. */
function broadKeywords(lists: readonly Warninglist[]): (keyword: string) => SuppressedBy | undefined {
  const generic = lists.filter((l) => l.kind === 'generic');
  const terms: GenericTerms = compileGenericTerms([...DEFAULT_GENERIC_TERMS, ...generic.flatMap((l) => l.entries)]);
  const builtIn = compileGenericTerms(DEFAULT_GENERIC_TERMS);
  const cache = new Map<string, SuppressedBy | undefined>();
  return (keyword) => {
    if (cache.has(keyword)) return cache.get(keyword);
    const verdict = keywordSpecificity(keyword, terms);
    let by: SuppressedBy | undefined;
    if (verdict.broad) {
      // Named after the list that made it generic, when the built-in terms alone would not have.
      const list = verdict.rule === 'GENERIC_ONLY' && !keywordSpecificity(keyword, builtIn).broad ? generic.find((l) => keywordSpecificity(keyword, compileGenericTerms([...DEFAULT_GENERIC_TERMS, ...l.entries])).broad) : undefined;
      by = list === undefined ? { list: SPECIFICITY_LIST, version: 1, entry: verdict.rule } : { list: list.name, version: list.version, entry: keyword };
    }
    cache.set(keyword, by);
    return by;
  };
}
