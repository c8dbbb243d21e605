/**
 * Keyword normalization (design.md "Keyword normalization"): the form in which
 * keywords are published, compared and matched. The rule (NFKC, case fold,
 * traditional → simplified, evasion characters removed, per cluster, repeated until
 * stable) is in keyword-clusters.ts; this file applies it to a text in one pass over
 * lookup tables, keeping a map from every output code unit back to the original.
 *
 * The result is idempotent: `normalizeKeyword(normalizeKeyword(x)) === normalizeKeyword(x)`,
 * which is what the KEYWORD validator relies on.
 *
 * How the single pass equals the rule's repeated passes over the whole text: a *settled*
 * cluster (keyword-tables.ts) normalizes to nothing, or to something that begins with a
 * code point that attaches to nothing before it and that a further pass leaves as is; so
 * its output never merges with a neighbour's and is final after one pass. Every other
 * cluster opens a *segment* that runs through the rule's general path: the segment starts
 * at the last settled cluster that produced output (a later pass may attach marks to it;
 * where there is none, at the start of the text), takes every cluster up to the next
 * settled one that produces output, and is cut there, where no later pass can join
 * across. Passes over the whole text change it exactly where they change some segment, so
 * the segments' passes give the whole text's; spans of a segment that settled earlier than
 * the text get the one extra composition the whole text's last pass gives them
 * (`widenSpans`). Should a segment's output ever begin with a code point that attaches to
 * what precedes it, the general path runs over the whole text instead.
 * keyword-normalization.test.ts compares this with the former whole-text implementation
 * over generated text of every kind of character involved.
 */
import { clusterEnd, normalizePasses, type PassesResult } from './keyword-clusters.js';
import { COMPLEX, DROPPED, EXPANSION, EXTENDS, KIND_MASK, PAYLOAD_SHIFT, UNIT, clusterForm, codePointEntry, expansions } from './keyword-tables.js';

/** [start, end) in UTF-16 code units of the original text. */
export type Span = readonly [start: number, end: number];

export interface NormalizedKeyword {
  readonly normalized: string;
  /** Per UTF-16 code unit i of `normalized`: [starts[i], ends[i]) is the span of the original it came from. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The same spans as pairs, made when read. */
  readonly spans: readonly Span[];
}

class NormalizedText implements NormalizedKeyword {
  constructor(
    readonly normalized: string,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
  ) {}

  get spans(): Span[] {
    return Array.from(this.starts, (start, i) => [start, this.ends[i]!] as const);
  }
}

/** The output being built: UTF-16 units and their spans, growing as needed; one is reused from call to call. */
class Output {
  units: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.units = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  unit(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) this.grow(1);
    this.units[this.length] = unit;
    this.starts[this.length] = start;
    this.ends[this.length++] = end;
  }

  string(text: string, start: number, end: number): void {
    if (this.length + text.length > this.units.length) this.grow(text.length);
    for (let k = 0; k < text.length; k += 1) {
      this.units[this.length] = text.charCodeAt(k);
      this.starts[this.length] = start;
      this.ends[this.length++] = end;
    }
  }

  passes(result: PassesResult): void {
    const { normalized, starts, ends } = result;
    if (this.length + normalized.length > this.units.length) this.grow(normalized.length);
    for (let k = 0; k < normalized.length; k += 1) {
      this.units[this.length] = normalized.charCodeAt(k);
      this.starts[this.length] = starts[k]!;
      this.ends[this.length++] = ends[k]!;
    }
  }

  /** Empty, with room for `capacity` units. */
  reset(capacity: number): this {
    this.length = 0;
    if (capacity > this.units.length) this.grow(capacity);
    return this;
  }

  finish(): NormalizedText {
    const normalized = Buffer.from(this.units.buffer, this.units.byteOffset, 2 * this.length).toString('utf16le');
    return new NormalizedText(normalized, this.starts.slice(0, this.length), this.ends.slice(0, this.length));
  }

  private grow(atLeast: number): void {
    const capacity = Math.max(2 * this.units.length, this.length + atLeast);
    const [units, starts, ends] = [new Uint16Array(capacity), new Int32Array(capacity), new Int32Array(capacity)];
    units.set(this.units.subarray(0, this.length));
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    [this.units, this.starts, this.ends] = [units, starts, ends];
  }
}

/** Allocating the buffers per call cost a fifth of the time on listings; they are kept unless a text made them huge. */
const MAX_KEPT_CAPACITY = 1 << 20;
let reusable = new Output(1024);

/** A stretch of output made by the general path: [outStart, outEnd), and how many passes after the first changed it. */
interface Segment {
  outStart: number;
  outEnd: number;
  changed: number;
}

function codePointAt(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  if (unit < 0xd800 || unit > 0xdbff || index + 1 >= text.length) return unit;
  const low = text.charCodeAt(index + 1);
  return low < 0xdc00 || low > 0xdfff ? unit : (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
}

/** The table entry of the cluster [start, end) of several code points, `first` being its first one's. */
function multiClusterEntry(text: string, start: number, end: number, first: number): { kind: number; form: string } {
  const form = (first & EXTENDS) !== 0 ? null : clusterForm(text.slice(start, end));
  if (form === null) return { kind: COMPLEX, form: '' };
  return { kind: form.length === 0 ? DROPPED : EXPANSION, form };
}

/**
 * Normalizes `text` and maps every UTF-16 code unit of the result back to the
 * original, so that a match found in the normalized text can be reported at
 * its position in what the platform saw (see `originalRange`).
 * @example normalizeKeywordWithMap('象-牙').spans → [[0, 1], [2, 3]]
 */
export function normalizeKeywordWithMap(text: string): NormalizedKeyword {
  const out = reusable.reset(text.length + 16);
  if (out.units.length > MAX_KEPT_CAPACITY) reusable = new Output(1024);
  const segments: Segment[] = [];
  /** Where the last settled cluster with output starts, and the output length before it. */
  let keptAt = -1;
  let keptOut = 0;
  /** The open segment's start in `text` (-1: none) and in the output. */
  let segmentAt = -1;
  let segmentOut = 0;
  const closeSegment = (end: number): boolean => {
    const result = normalizePasses(text.slice(segmentAt, end), segmentAt);
    if (segmentOut > 0 && !result.startsClean) return false;
    out.length = segmentOut;
    out.passes(result);
    segments.push({ outStart: segmentOut, outEnd: out.length, changed: result.changed });
    segmentAt = -1;
    return true;
  };
  let cp = text.length > 0 ? codePointAt(text, 0) : 0;
  let entry = text.length > 0 ? codePointEntry(cp) : 0;
  for (let at = 0; at < text.length; ) {
    let end = at + (cp > 0xffff ? 2 : 1);
    let nextCp = end < text.length ? codePointAt(text, end) : 0;
    let nextEntry = end < text.length ? codePointEntry(nextCp) : 0;
    let kind = entry & KIND_MASK;
    let form = '';
    if ((nextEntry & EXTENDS) !== 0) {
      while ((nextEntry & EXTENDS) !== 0) {
        end += nextCp > 0xffff ? 2 : 1;
        nextCp = end < text.length ? codePointAt(text, end) : 0;
        nextEntry = end < text.length ? codePointEntry(nextCp) : 0;
      }
      ({ kind, form } = multiClusterEntry(text, at, end, entry));
    } else if (kind === EXPANSION) {
      form = expansions[entry >>> PAYLOAD_SHIFT]!;
    }
    if (kind === COMPLEX) {
      if (segmentAt < 0) [segmentAt, segmentOut] = keptAt >= 0 ? [keptAt, keptOut] : [0, 0];
    } else if (kind !== DROPPED) {
      if (segmentAt >= 0 && !closeSegment(at)) return wholeText(text);
      [keptAt, keptOut] = [at, out.length];
      if (kind === UNIT) out.unit(entry >>> PAYLOAD_SHIFT, at, end);
      else out.string(form, at, end);
    }
    [at, cp, entry] = [end, nextCp, nextEntry];
  }
  if (segmentAt >= 0 && !closeSegment(text.length)) return wholeText(text);
  const result = out.finish();
  widenSpans(result, segments);
  return result;
}

/**
 * The general path over the whole text (see the header for the one case that needs it). A search
 * over every settled code point followed by every cluster whose output begins with a mark found
 * no such case with Node 20's ICU (Unicode 17); the check guards against other Unicode versions.
 */
function wholeText(text: string): NormalizedText {
  const { normalized, starts, ends } = normalizePasses(text);
  return new NormalizedText(normalized, Int32Array.from(starts), Int32Array.from(ends));
}

/**
 * A pass that changes the text anywhere re-expresses every span through that pass's clusters,
 * which widens the spans of a cluster made of several earlier outputs; segments that settled
 * before the whole text did get that once (further such passes change nothing more).
 */
function widenSpans(result: NormalizedText, segments: readonly Segment[]): void {
  const changed = segments.reduce((most, s) => Math.max(most, s.changed), 0);
  const { normalized, starts, ends } = result;
  for (const segment of segments) {
    if (segment.changed === changed) continue;
    for (let a = segment.outStart; a < segment.outEnd; ) {
      const b = Math.min(clusterEnd(normalized, a), segment.outEnd);
      starts.fill(starts[a]!, a, b);
      ends.fill(ends[b - 1]!, a, b);
      a = b;
    }
  }
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
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > map.starts.length || end <= start) {
    throw new RangeError(`no normalized range [${start}, ${end}) in a text of ${map.starts.length} code units`);
  }
  return [map.starts[start]!, map.ends[end - 1]!];
}
