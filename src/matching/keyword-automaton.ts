/**
 * matchText's scanner: every published keyword found in a listing in one pass, overlapping
 * occurrences included. The listing is normalized first with the indicators context's
 * `normalizeKeywordWithMap` (NFKC, case fold, traditional → simplified, evasive spacing and
 * punctuation removed), the automaton runs over the normalized text, and every hit is mapped
 * back to its span in the original: `象 牙 手 鐲` in a listing is a hit on the keyword `象牙手镯`
 * at the six code units it occupies. Pure: no I/O, no clock.
 *
 * Changes are batched: the automaton is a large compiled `main` part plus a small `delta` part
 * over keywords added since, recompiled on the next match after a change; removed keywords are
 * skipped when reported. `main` is recompiled once the delta outgrows an eighth of it (at least
 * 256 keywords) or a quarter of it is removed, so a stream of changes costs O(1) amortized
 * compilations of the whole set per eighth of its size.
 */
import { normalizeKeyword, normalizeKeywordWithMap, originalRange, type NormalizedKeyword } from '../indicators/index.js';
import { MatchingError, assertValidId } from './errors.js';
import { compileTrie, scanTrie, trieBytes, type Trie } from './keyword-trie.js';

export interface KeywordHit {
  readonly id: string;
  /** The keyword as stored (normalized). */
  readonly keyword: string;
  /** [start, end) in UTF-16 code units of the text given to `match` (or of the normalized text, for `matchNormalized`). */
  readonly start: number;
  readonly end: number;
}

export interface KeywordEntry {
  readonly id: string;
  /** Normalized, as KEYWORD indicator values are (`normalizeKeyword(keyword) === keyword`). */
  readonly keyword: string;
}

const MIN_DELTA = 256;
/** Keywords in normalized form already, without running the normalizer: ASCII lowercase letters and digits. */
const PLAIN = /^[a-z0-9]+$/;

export class KeywordAutomaton {
  private readonly entryOf = new Map<string, number>();
  private ids: string[] = [];
  private keywords: string[] = [];
  private live: boolean[] = [];
  /** Entries [0, mainEnd) are compiled into `main`; later ones into `delta`. */
  private mainEnd = 0;
  private main: Trie | null = null;
  private delta: Trie | null = null;
  private deltaStale = false;
  private deadInMain = 0;

  constructor(entries: Iterable<KeywordEntry> = []) {
    this.addAll(entries);
  }

  /** Number of ids in the automaton. */
  get size(): number {
    return this.entryOf.size;
  }

  has(id: string): boolean {
    return this.entryOf.has(id);
  }

  /**
   * Adds `keyword` under `id`, replacing the keyword `id` had. Ids may share a keyword.
   * @throws MatchingError `INVALID_KEYWORD` if empty or not normalized; `INVALID_ID`
   */
  add(id: string, keyword: string): void {
    assertValidId(id);
    if (typeof keyword !== 'string' || keyword.length === 0 || (!PLAIN.test(keyword) && normalizeKeyword(keyword) !== keyword)) {
      throw new MatchingError('INVALID_KEYWORD', 'a keyword must be non-empty and normalized (normalizeKeyword(k) === k)', { details: { id } });
    }
    const previous = this.entryOf.get(id);
    if (previous !== undefined) {
      if (this.keywords[previous] === keyword) return;
      this.kill(previous);
    }
    this.entryOf.set(id, this.ids.length);
    this.ids.push(id);
    this.keywords.push(keyword);
    this.live.push(true);
    this.deltaStale = true;
  }

  addAll(entries: Iterable<KeywordEntry>): void {
    for (const { id, keyword } of entries) this.add(id, keyword);
  }

  /** Removes `id`; false when it was not there. */
  remove(id: string): boolean {
    const entry = this.entryOf.get(id);
    if (entry === undefined) return false;
    this.entryOf.delete(id);
    this.kill(entry);
    return true;
  }

  /**
   * Every keyword occurrence in `text`, overlapping ones included, with its span in `text`;
   * ordered by start, then end, then id.
   * @example new KeywordAutomaton([{ id: 'k', keyword: '象牙' }]).match('象 牙') → [{ id: 'k', keyword: '象牙', start: 0, end: 3 }]
   */
  match(text: string): KeywordHit[] {
    const map = normalizeKeywordWithMap(text);
    return this.collect(map.normalized, map);
  }

  /** As `match`, over text that is already normalized; spans are into it. */
  matchNormalized(normalized: string): KeywordHit[] {
    return this.collect(normalized, null);
  }

  /** Bytes of the compiled automata (typed arrays); the id and keyword strings are not counted. */
  memoryBytes(): number {
    this.compile();
    return (this.main === null ? 0 : trieBytes(this.main)) + (this.delta === null ? 0 : trieBytes(this.delta));
  }

  /** The hits in `normalized`, with their spans mapped back through `map` when there is one. */
  private collect(normalized: string, map: NormalizedKeyword | null): KeywordHit[] {
    this.compile();
    const raw = scanned;
    raw.length = 0;
    if (this.main !== null) scanTrie(this.main, normalized, raw);
    if (this.delta !== null) scanTrie(this.delta, normalized, raw);
    const twoScans = this.main !== null && this.delta !== null;
    const order = orderBySpan(raw, twoScans);
    const hits: KeywordHit[] = [];
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const entry = raw[i]!;
      if (!this.live[entry]) continue;
      const [start, end] = map === null ? [raw[i + 1]!, raw[i + 2]!] : originalRange(map, raw[i + 1]!, raw[i + 2]!);
      hits.push({ id: this.ids[entry]!, keyword: this.keywords[entry]!, start, end });
    }
    return twoScans ? settleTies(hits) : hits;
  }

  private kill(entry: number): void {
    this.live[entry] = false;
    if (entry < this.mainEnd) this.deadInMain++;
    else this.deltaStale = true;
  }

  /** Brings `main` and `delta` up to date with the entries (see the header for when each is recompiled). */
  private compile(): void {
    const mainLive = this.mainEnd - this.deadInMain;
    const deltaSize = this.ids.length - this.mainEnd;
    if (deltaSize > Math.max(MIN_DELTA, mainLive / 8) || this.deadInMain > Math.max(MIN_DELTA, mainLive / 4)) {
      this.compact();
      this.main = this.compileRange(0, this.ids.length);
      this.mainEnd = this.ids.length;
      this.deadInMain = 0;
      this.delta = null;
      this.deltaStale = false;
    } else if (this.deltaStale) {
      this.delta = this.compileRange(this.mainEnd, this.ids.length);
      this.deltaStale = false;
    }
  }

  /** Compiles the live entries of [from, to), ids in order, so that ids sharing a keyword are reported in order. */
  private compileRange(from: number, to: number): Trie | null {
    const entries: number[] = [];
    for (let e = from; e < to; e++) if (this.live[e]) entries.push(e);
    entries.sort((a, b) => compareIds(this.ids[a]!, this.ids[b]!));
    return entries.length === 0 ? null : compileTrie(entries.map((e) => this.keywords[e]!), entries);
  }

  /** Renumbers the live entries 0..size-1. */
  private compact(): void {
    const ids: string[] = [];
    const keywords: string[] = [];
    for (let e = 0; e < this.ids.length; e++) {
      if (!this.live[e]) continue;
      this.entryOf.set(this.ids[e]!, ids.length);
      ids.push(this.ids[e]!);
      keywords.push(this.keywords[e]!);
    }
    this.ids = ids;
    this.keywords = keywords;
    this.live = ids.map(() => true);
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The (entry, start, end) triples of the last scan; reused, since a scan's hits are read before the next one starts. */
const scanned: number[] = [];

/**
 * Offsets of the (entry, start, end) triples in `raw`, ordered by start then end. One scan
 * reports hits by end, longest first at each end, so a hit is out of place only among hits
 * ending less than a keyword's length later: an insertion sort does it in time linear in the
 * hits times the longest keyword (in practice, a few moves). Two scans (main and delta) are
 * sorted outright.
 */
function orderBySpan(raw: readonly number[], twoScans: boolean): Int32Array {
  const order = new Int32Array(raw.length / 3);
  for (let k = 0; k < order.length; k++) order[k] = 3 * k;
  const before = (a: number, b: number): boolean => raw[a + 1]! < raw[b + 1]! || (raw[a + 1] === raw[b + 1] && raw[a + 2]! < raw[b + 2]!);
  if (twoScans) return order.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : a - b));
  for (let k = 1; k < order.length; k++) {
    const hit = order[k]!;
    let j = k;
    for (; j > 0 && before(hit, order[j - 1]!); j--) order[j] = order[j - 1]!;
    order[j] = hit;
  }
  return order;
}

/** Orders by id the hits with the same span (ids sharing a keyword across the main and delta parts): an insertion sort, linear on sorted input. */
function settleTies(hits: KeywordHit[]): KeywordHit[] {
  for (let i = 1; i < hits.length; i++) {
    const hit = hits[i]!;
    let j = i;
    for (; j > 0 && hits[j - 1]!.start === hit.start && hits[j - 1]!.end === hit.end && hits[j - 1]!.id > hit.id; j--) hits[j] = hits[j - 1]!;
    hits[j] = hit;
  }
  return hits;
}
