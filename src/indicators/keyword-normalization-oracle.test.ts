/**
 * The table-driven normalization (keyword-normalization.ts) against the implementation it
 * replaced, kept below verbatim as the oracle (whole-text passes over clusters, OpenCC's
 * converter per Han character): the same normalized text and the same span for every unit,
 * over generated text of every kind of character the fast path treats specially.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as OpenCC from 'opencc-js';
import { normalizeKeyword, normalizeKeywordWithMap } from './index.js';
import { normalizePasses } from './keyword-clusters.js';

// ---- the oracle: src/indicators/keyword-normalization.ts and simplified-chinese.ts as of 4a6a996 ----
const convertChars = OpenCC.Converter({ from: 'hk', to: 'cn' });
const oracleCache = new Map<string, string>();
function oracleSimplified(char: string): string {
  if (!/\p{Script=Han}/u.test(char)) return char;
  const cached = oracleCache.get(char);
  if (cached !== undefined) return cached;
  let simplified = char;
  for (let round = 0; round < 4; round += 1) {
    const next: string = convertChars(simplified);
    if (next === simplified) break;
    simplified = next;
  }
  oracleCache.set(char, simplified);
  return simplified;
}
const STRIPPED = /^[\p{White_Space}\p{P}\p{S}\p{Cc}\p{Cf}\p{Cs}\p{Me}\p{Default_Ignorable_Code_Point}]$/u;
const ATTACHES = /^[\p{M}\p{Grapheme_Extend}\u1160-\u11FF\uD7B0-\uD7FF\u{16D67}]$/u;
type Span = readonly [number, number];
function extendsCluster(char: string): boolean {
  if (ATTACHES.test(char)) return true;
  const first = char.normalize('NFKC').codePointAt(0);
  return first !== undefined && ATTACHES.test(String.fromCodePoint(first));
}
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
  for (const char of folded) simplified += oracleSimplified(char);
  let kept = '';
  for (const char of simplified.normalize('NFKC')) if (!STRIPPED.test(char)) kept += char;
  return kept;
}
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
function composeSpans(outer: readonly Span[], inner: readonly Span[]): Span[] {
  return inner.map(([start, end]) => [(outer[start] as Span)[0], (outer[end - 1] as Span)[1]] as const);
}
function oracle(text: string): { normalized: string; spans: Span[] } {
  let { normalized, spans } = normalizePass(text);
  for (let pass = 1; pass < 4; pass += 1) {
    const next = normalizePass(normalized);
    if (next.normalized === normalized) break;
    spans = composeSpans(spans, next.spans);
    normalized = next.normalized;
  }
  return { normalized, spans };
}
// ---- end of the oracle ----

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Kinds of text, each a generator of one piece; a text mixes pieces of several kinds. */
const KINDS: Record<string, (random: () => number) => string> = {
  latin: (r) => pick(r, ['ivory', 'Rhino', 'HORN', 'ß', 'İ', 'ΣΑΣ', 'ς', 'ﬁ', 'ſ', 'x', 'e', 'é', 'ǅ', 'Ⅻ', '½', '²', '0', '9']),
  fullWidth: (r) => String.fromCharCode(0xff01 + Math.floor(r() * 0x5e)),
  halfWidthKana: (r) => pick(r, ['ｶ', 'ﾞ', 'ﾟ', 'ﾊ', 'ｱ', 'ｰ']),
  traditional: (r) => pick(r, ['鐲', '鱗', '龜', '藥', '雕', '衞', '綫', '敍', '薴', '苧', '乾', '髮', '後', '裏', '著', '臺', '灣', '國', '門', '們']),
  cjk: (r) => String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5200)),
  cjkAstral: (r) => String.fromCodePoint(pick(r, [0x20000, 0x2a6d6, 0x2b740, 0x2f800, 0x2f8a6, 0x30000]) + Math.floor(r() * 64)),
  compatibility: (r) => String.fromCodePoint(pick(r, [0xf900, 0xfa30, 0x3300, 0x2460, 0x1d400, 0xfb00, 0xfdfa]) + Math.floor(r() * 32)),
  separators: (r) => pick(r, [' ', '\u3000', '-', '.', '*', '·', '、', '，', '！', '$', '+', '|', '~', '\n', '\t', '\u00a0', '\u2028']),
  invisible: (r) => pick(r, ['\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u2060', '\u034f', '\u180e', '\u115f', '\u3164', '\u{e0041}']),
  marks: (r) => String.fromCodePoint(pick(r, [0x0300, 0x0327, 0x0338, 0x0591, 0x064b, 0x0903, 0x093c, 0x0e31, 0x0e48, 0x1ab0, 0x20d0, 0x20e3, 0x3099, 0xfe0f, 0xfe20]) + Math.floor(r() * 8)),
  spacingModifiers: (r) => pick(r, ['¨', '´', '¸', '˘', '˙', '˚', '˛', '˜', '˝', '΄', '΅', '῭', '`', '゛', '゜']),
  hangul: (r) => pick(r, ['가', 'ㄱ', 'ㅏ', 'ᄀ', 'ᅡ', 'ᆨ', 'ᄒ', 'ᅵ', 'ힰ', 'ᄀᄀ']),
  thai: (r) => pick(r, ['ก', 'ำ', 'ิ', '่', 'งา', 'ช้าง', 'นอแรด']),
  devanagari: (r) => pick(r, ['क', '़', 'ि', '्', 'ष', 'हाथी', 'दाँत']),
  emoji: (r) => pick(r, ['😀', '🐘', '🏽', '👍🏽', '👨‍👩‍👧', '🇨🇳', '❤️', '#️⃣', '1⃣', '☺', '🦏']),
  surrogates: (r) => pick(r, ['\ud800', '\udfff', '\udbff\udbff', '𝐀', '𠀀']),
  anyBmp: (r) => String.fromCharCode(Math.floor(r() * 0x10000)),
  anyAstral: (r) => String.fromCodePoint(0x10000 + Math.floor(r() * 0x3ffff)),
};

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function generate(random: () => number, kinds: readonly string[], pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i += 1) text += KINDS[pick(random, kinds)]!(random);
  return text;
}

function assertAgrees(text: string): void {
  const expected = oracle(text);
  const actual = normalizeKeywordWithMap(text);
  const label = JSON.stringify(text);
  assert.equal(actual.normalized, expected.normalized, label);
  assert.deepEqual(actual.spans, expected.spans, label);
  assert.equal(normalizeKeyword(text), expected.normalized, label);
}

describe('normalizeKeywordWithMap against the former implementation (oracle)', () => {
  const names = Object.keys(KINDS);

  it('agrees on short texts of every pair of kinds', () => {
    const random = seededRandom(27);
    for (const a of names) for (const b of names) for (let trial = 0; trial < 12; trial += 1) assertAgrees(generate(random, [a, b], 1 + Math.floor(random() * 10)));
  });

  it('agrees on texts mixing every kind', () => {
    const random = seededRandom(2027);
    for (let trial = 0; trial < 3000; trial += 1) assertAgrees(generate(random, names, Math.floor(random() * 24)));
  });

  it('agrees on long listings of mostly settled text with occasional marks, emoji and compositions', () => {
    const random = seededRandom(72);
    const common = ['latin', 'cjk', 'traditional', 'separators', 'fullWidth'];
    for (let trial = 0; trial < 40; trial += 1) {
      let text = '';
      for (let piece = 0; piece < 400; piece += 1) text += generate(random, random() < 0.9 ? common : names, 1);
      assertAgrees(text);
    }
  });

  it('agrees where a later pass widens the spans of a part that settled earlier', () => {
    // q + ¨ leaves q U+0308 (no precomposed form: stable after one pass, two spans); e ZWSP U+0301
    // changes in the second pass, which re-expresses every span through its clusters.
    for (const text of ['q¨e\u200b\u0301', 'e\u200b\u0301 q¨', 'q¨ 象 e\u200b\u0301', 'q¨', 'x¨', 'ab¨c\u200b\u0301']) assertAgrees(text);
  });
});

describe('normalizePasses', () => {
  it('tells when an output begins with a code point that would attach to what precedes it', () => {
    // ¨ is a spacing diaeresis: NFKC gives a space and U+0308, and the space is removed.
    assert.equal(normalizePasses('¨').startsClean, false);
    assert.equal(normalizePasses('q¨').startsClean, true);
    assert.equal(normalizePasses('\u200b').startsClean, true);
    assert.deepEqual(normalizePasses('q¨', 5), { normalized: 'q\u0308', starts: [5, 6], ends: [6, 7], changed: 0, startsClean: true });
    assert.equal(normalizePasses('e\u200b\u0301').changed, 1);
  });
});
