import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword, normalizeKeywordWithMap } from '../indicators/index.js';
import { KeywordAutomaton } from './index.js';

function naive(keywords: Array<[string, string]>, text: string): Array<[string, number]> {
  const s = normalizeKeywordWithMap(text).normalized;
  const hits: Array<[string, number]> = [];
  for (const [id, k] of keywords) for (let i = s.indexOf(k); i >= 0; i = s.indexOf(k, i + 1)) hits.push([id, i]);
  return hits.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
}

describe('KeywordAutomaton', () => {
  const automaton = new KeywordAutomaton();
  for (const [id, k] of [['k1', '象牙'], ['k2', '象牙手镯'], ['k3', '穿山甲'], ['k4', 'ivory'], ['k5', 'rhinohorn'], ['k6', '牙手']] as const) automaton.add(id, k);

  it('finds spaced, punctuated, traditional and full-width variants, with positions in the original text', () => {
    const text = '出售 象 牙 手 鐲，正品！also ＩＶＯＲＹ and rhino-horn';
    const hits = automaton.match(text);
    const seen = hits.map((h) => [h.keyword, text.slice(h.start, h.end)]);
    assert.deepEqual(seen, [
      ['象牙', '象 牙'],
      ['象牙手镯', '象 牙 手 鐲'],
      ['牙手', '牙 手'],
      ['ivory', 'ＩＶＯＲＹ'],
      ['rhinohorn', 'rhino-horn'],
    ]);
  });

  it('equals a naive search over the normalized text on random listings', () => {
    const alphabet = ['象', '牙', '手', '鐲', '镯', '穿', '山', '甲', 'i', 'v', 'o', 'r', 'y', ' ', '-', '。'];
    let seed = 3;
    const next = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0), seed);
    const keywords: Array<[string, string]> = [['k1', '象牙'], ['k2', '象牙手镯'], ['k3', '穿山甲'], ['k4', 'ivory'], ['k6', '牙手']];
    for (let t = 0; t < 300; t++) {
      const text = Array.from({ length: 5 + (next() % 40) }, () => alphabet[next() % alphabet.length]).join('');
      const got = automaton.match(text).filter((h) => h.id !== 'k5');
      const map = normalizeKeywordWithMap(text);
      const asNormalizedStarts = got.map((h) => [h.id, map.spans.findIndex((s) => s[0] === h.start)] as [string, number]);
      assert.deepEqual(asNormalizedStarts, naive(keywords, text), text);
    }
  });

  it('updates after add and remove', () => {
    const a = new KeywordAutomaton();
    a.add('x', normalizeKeyword('Pangolin scales'));
    assert.equal(a.match('fresh PANGOLIN-SCALES here').length, 1);
    a.remove('x');
    assert.deepEqual(a.match('fresh PANGOLIN-SCALES here'), []);
  });
});
