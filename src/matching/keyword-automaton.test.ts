import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword, normalizeKeywordWithMap, originalRange } from '../indicators/index.js';
import { KeywordAutomaton, MatchingError, type KeywordHit } from './index.js';

/** mulberry32, so a failing random case can be replayed from its seed. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

const byPosition = (a: KeywordHit, b: KeywordHit): number => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The reference: indexOf at every position of the normalized text, for every keyword. */
function naive(keywords: ReadonlyMap<string, string>, normalized: string): KeywordHit[] {
  const hits: KeywordHit[] = [];
  for (const [id, keyword] of keywords) {
    for (let i = normalized.indexOf(keyword); i >= 0; i = normalized.indexOf(keyword, i + 1)) hits.push({ id, keyword, start: i, end: i + keyword.length });
  }
  return hits.sort(byPosition);
}

/** The same hits, with spans mapped to the original text. */
function naiveInOriginal(keywords: ReadonlyMap<string, string>, text: string): KeywordHit[] {
  const map = normalizeKeywordWithMap(text);
  return naive(keywords, map.normalized)
    .map((h) => {
      const [start, end] = originalRange(map, h.start, h.end);
      return { ...h, start, end };
    })
    .sort(byPosition);
}

const ALPHABET = ['象', '牙', '手', '镯', '鐲', '犀', '角', '穿', '山', '甲', 'a', 'b', 'i', 'v', 'o', 'r', 'y', '𠀀', '𝐀', ' ', '-', '。', '·', 'Ａ', 'Ｉ', '*', '\u200b'];
function randomText(random: (n: number) => number, length: number): string {
  return Array.from({ length }, () => ALPHABET[random(ALPHABET.length)]).join('');
}

/** Random normalized keywords over a small alphabet, so they overlap and nest a lot. */
function randomKeywords(random: (n: number) => number, count: number, maxLength: number): Map<string, string> {
  const keywords = new Map<string, string>();
  while (keywords.size < count) {
    const k = normalizeKeyword(randomText(random, 1 + random(maxLength)));
    if (k.length > 0) keywords.set(`k${keywords.size}`, k);
  }
  return keywords;
}

describe('KeywordAutomaton', () => {
  const automaton = new KeywordAutomaton([
    { id: 'k1', keyword: '象牙' },
    { id: 'k2', keyword: '象牙手镯' },
    { id: 'k3', keyword: '穿山甲' },
    { id: 'k4', keyword: 'ivory' },
    { id: 'k5', keyword: 'rhinohorn' },
    { id: 'k6', keyword: '牙手' },
  ]);

  it('finds spaced, punctuated, traditional and full-width variants, with their spans in the original text', () => {
    const text = '出售 象 牙 手 鐲，正品！also ＩＶＯＲＹ and rhino-horn; 穿·山·甲片';
    const seen = automaton.match(text).map((h) => [h.id, h.keyword, text.slice(h.start, h.end)]);
    assert.deepEqual(seen, [
      ['k1', '象牙', '象 牙'],
      ['k2', '象牙手镯', '象 牙 手 鐲'],
      ['k6', '牙手', '牙 手'],
      ['k4', 'ivory', 'ＩＶＯＲＹ'],
      ['k5', 'rhinohorn', 'rhino-horn'],
      ['k3', '穿山甲', '穿·山·甲'],
    ]);
  });

  it('reports exact positions across zero-width and astral characters', () => {
    const a = new KeywordAutomaton([{ id: 'x', keyword: '象𠀀牙' }]);
    const text = 'ab象\u200b𠀀 牙c';
    assert.deepEqual(a.match(text), [{ id: 'x', keyword: '象𠀀牙', start: 2, end: 8 }]);
    assert.deepEqual(a.matchNormalized('ab象𠀀牙c'), [{ id: 'x', keyword: '象𠀀牙', start: 2, end: 6 }]);
  });

  it('reports every overlapping and nested occurrence', () => {
    const a = new KeywordAutomaton(['he', 'she', 'his', 'hers', 'h', 'ushers'].map((keyword) => ({ id: keyword, keyword })));
    const hits = a.matchNormalized('ushershis').map((h) => `${h.id}@${h.start}`);
    assert.deepEqual(hits, ['ushers@0', 'she@1', 'h@2', 'he@2', 'hers@2', 'h@6', 'his@6']);
  });

  it('reports every id of a keyword that several ids share, and nothing for an empty or keyword-free text', () => {
    const a = new KeywordAutomaton([{ id: 'b', keyword: '犀角' }, { id: 'a', keyword: '犀角' }]);
    assert.deepEqual(a.match('犀 角').map((h) => h.id), ['a', 'b']);
    assert.deepEqual(a.match(''), []);
    assert.deepEqual(a.match('nothing here'), []);
    assert.deepEqual(new KeywordAutomaton().match('象牙'), []);
  });

  it('equals a naive indexOf search over the normalized text, on random keywords and listings', () => {
    const random = seeded(3);
    for (let round = 0; round < 40; round++) {
      const keywords = randomKeywords(random, 1 + random(60), 5);
      const a = new KeywordAutomaton([...keywords].map(([id, keyword]) => ({ id, keyword })));
      for (let t = 0; t < 25; t++) {
        const text = randomText(random, random(80));
        assert.deepEqual(a.match(text), naiveInOriginal(keywords, text), `round ${round}: ${JSON.stringify(text)}`);
        const normalized = normalizeKeyword(text);
        assert.deepEqual(a.matchNormalized(normalized), naive(keywords, normalized));
      }
    }
  });

  it('equals the naive search with thousands of keywords over a large alphabet', () => {
    const random = seeded(8);
    const keywords = new Map<string, string>();
    const unit = (): string => String.fromCharCode(0x4e00 + random(300));
    for (let i = 0; keywords.size < 5000; i++) {
      keywords.set(`id${i}`, normalizeKeyword(Array.from({ length: 1 + random(6) }, unit).join('') + (i % 3 === 0 ? 'ab' : '')));
    }
    const a = new KeywordAutomaton([...keywords].map(([id, keyword]) => ({ id, keyword })));
    const text = normalizeKeyword(Array.from({ length: 20_000 }, () => (random(10) === 0 ? 'ab' : unit())).join(''));
    const hits = a.matchNormalized(text);
    assert.ok(hits.length > 1000);
    assert.deepEqual(hits, naive(keywords, text));
  });

  it('stays equal to the naive search through adds, replacements and removals on either side of recompilation', () => {
    const random = seeded(21);
    const pool = randomKeywords(random, 2000, 6);
    const ids = [...pool.keys()];
    const current = new Map<string, string>();
    const a = new KeywordAutomaton();
    for (let step = 0; step < 60; step++) {
      for (let k = random(120); k > 0; k--) {
        const id = ids[random(ids.length)]!;
        if (random(3) === 0) {
          assert.equal(a.remove(id), current.delete(id));
        } else {
          const keyword = pool.get(ids[random(ids.length)]!)!;
          a.add(id, keyword);
          current.set(id, keyword);
        }
      }
      assert.equal(a.size, current.size);
      const text = randomText(random, 200);
      assert.deepEqual(a.match(text), naiveInOriginal(current, text), `step ${step}`);
    }
  });

  describe('when given bad input', () => {
    it('rejects an empty or unnormalized keyword', () => {
      const a = new KeywordAutomaton();
      for (const bad of ['', '象 牙', 'IVORY', '象牙手鐲', 'ｉｖｏｒｙ', 'rhino-horn']) {
        assert.throws(() => a.add('x', bad), (e) => e instanceof MatchingError && e.code === 'INVALID_KEYWORD', bad);
      }
      assert.equal(a.size, 0);
    });
    it('rejects an empty id', () => {
      assert.throws(() => new KeywordAutomaton([{ id: '', keyword: 'ivory' }]), (e) => e instanceof MatchingError && e.code === 'INVALID_ID');
    });
  });
});
