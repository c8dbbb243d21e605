import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeKeyword, normalizeKeywordWithMap, originalRange } from './index.js';

/** mulberry32: a seeded generator, so that a failing random case can be replayed. */
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

const PIECES = [
  'a', 'Z', '7', ' ', '\u3000', '-', '.', '*', '·', '、', '$', '+',
  'Ａ', 'ｚ', '１', '！', 'ﬁ', '㎏', '①', 'ß', 'İ', 'Σ', 'ς',
  '象', '牙', '鐲', '镯', '犀', '角', '穿山甲', '薴', '乾',
  'e', '\u0301', '\u0308', '\u0327', 'ｶ', 'ﾞ', 'ㄱ', 'ㅏ', 'ᄀ', 'ᅡ', 'ᆨ', '가', 'ำ',
  '\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u2060', '\ufe0f', '\u20e3', '\u034f',
  '😀', '🐘', '🏽', '👨‍👩‍👧', '🇨🇳', '𠀀', '𝐀', '\ud800', '\udfff',
];

function randomText(random: () => number, maxPieces: number): string {
  let text = '';
  const count = Math.floor(random() * (maxPieces + 1));
  for (let i = 0; i < count; i += 1) {
    const r = random();
    if (r < 0.75) text += PIECES[Math.floor(random() * PIECES.length)];
    else if (r < 0.9) text += String.fromCodePoint(Math.floor(random() * 0xffff));
    else text += String.fromCodePoint(0x10000 + Math.floor(random() * 0x3ffff));
  }
  return text;
}

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
/** True when `index` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, index: number): boolean {
  return index > 0 && index < text.length && isHigh(text.charCodeAt(index - 1)) && isLow(text.charCodeAt(index));
}

describe('normalizeKeyword', () => {
  describe('when evasion characters are inserted', () => {
    for (const text of ['象 牙', '象-牙', '象.牙', '象*牙', '象·牙', '象\u3000牙', '象🐘牙', ' 象牙\n']) {
      it(`removes them from ${JSON.stringify(text)}`, () => {
        assert.equal(normalizeKeyword(text), '象牙');
      });
    }
    it('removes zero-width spaces, joiners, BOM, soft hyphens and variation selectors', () => {
      assert.equal(normalizeKeyword('象\u200b牙\u200c手\u200d镯\ufeff'), '象牙手镯');
      assert.equal(normalizeKeyword('i\u00advo\u2060ry\ufe0f'), 'ivory');
    });
  });

  it('folds full-width to half-width and case', () => {
    assert.equal(normalizeKeyword('ＩＶＯＲＹ'), 'ivory');
    assert.equal(normalizeKeyword('Rhino HORN'), 'rhinohorn');
    assert.equal(normalizeKeyword('１０㎏'), '10kg');
  });

  it('case-folds with full mappings', () => {
    assert.equal(normalizeKeyword('STRASSE'), normalizeKeyword('straße'));
    assert.equal(normalizeKeyword('ΣΑΣ'), normalizeKeyword('σας'));
  });

  it('converts traditional to simplified Chinese', () => {
    assert.equal(normalizeKeyword('象牙手鐲'), '象牙手镯');
    assert.equal(normalizeKeyword('犀牛角 穿山甲鱗片'), '犀牛角穿山甲鳞片');
    assert.equal(normalizeKeyword('象牙手镯'), '象牙手镯');
  });

  it('converts per character, so that a keyword converts the same alone and in context', () => {
    // OpenCC's phrase table would keep 乾 in 乾隆 but not in 乾貨; per character, 乾 is always 干.
    assert.equal(normalizeKeyword('乾隆'), '干隆');
    assert.ok(normalizeKeyword('乾隆象牙').includes(normalizeKeyword('乾')));
  });

  it('composes what NFKC composes, even across removed characters', () => {
    assert.equal(normalizeKeyword('e\u0301'), 'é');
    assert.equal(normalizeKeyword('e\u200b\u0301'), 'é');
    assert.equal(normalizeKeyword('ｶﾞ'), 'ガ');
    assert.equal(normalizeKeyword('ㄱㅏ'), '가');
  });

  it('normalizes emoji-only text to the empty string', () => {
    assert.equal(normalizeKeyword('🐘 👨‍👩‍👧 🇨🇳 \u2764\ufe0f'), '');
  });

  it('is idempotent (property over random text)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 5000; i += 1) {
      const once = normalizeKeyword(randomText(random, 12));
      assert.equal(normalizeKeyword(once), once);
    }
  });
});

describe('normalizeKeywordWithMap', () => {
  it('maps each normalized unit to the original span it came from', () => {
    const text = '👨‍👩‍👧象-🐘牙';
    const map = normalizeKeywordWithMap(text);
    assert.equal(map.normalized, '象牙');
    assert.deepEqual(map.spans, [
      [8, 9],
      [12, 13],
    ]);
    assert.equal(text.slice(...originalRange(map, 0, 2)), '象-🐘牙');
  });

  it('gives every unit of an expansion the span of its source', () => {
    const map = normalizeKeywordWithMap('a㎏ß');
    assert.equal(map.normalized, 'akgss');
    assert.deepEqual(map.spans, [
      [0, 1],
      [1, 2],
      [1, 2],
      [2, 3],
      [2, 3],
    ]);
  });

  it('maps both halves of an astral character to the whole pair', () => {
    const map = normalizeKeywordWithMap('x𠀀y');
    assert.equal(map.normalized, 'x𠀀y');
    assert.deepEqual(map.spans, [
      [0, 1],
      [1, 3],
      [1, 3],
      [3, 4],
    ]);
  });

  it('covers both ends of a composition across a removed character', () => {
    const map = normalizeKeywordWithMap('ae\u200b\u0301c');
    assert.equal(map.normalized, 'a\u00e9c');
    assert.deepEqual(map.spans, [
      [0, 1],
      [1, 4],
      [4, 5],
    ]);
  });

  it('refuses an empty or out-of-bounds range', () => {
    const map = normalizeKeywordWithMap('象牙');
    assert.throws(() => originalRange(map, 1, 1), RangeError);
    assert.throws(() => originalRange(map, 0, 3), RangeError);
  });

  describe('over random text with emoji, surrogates, marks and invisible characters', () => {
    const random = seededRandom(20260301);
    const texts = Array.from({ length: 3000 }, () => randomText(random, 16));

    it('has one in-bounds, ordered span per normalized unit that never splits a pair', () => {
      for (const text of texts) {
        const { normalized, spans } = normalizeKeywordWithMap(text);
        assert.equal(spans.length, normalized.length, JSON.stringify(text));
        let previous: readonly [number, number] = [0, 0];
        for (const [start, end] of spans) {
          assert.ok(start >= 0 && start < end && end <= text.length, JSON.stringify(text));
          assert.ok(start >= previous[0] && end >= previous[1], JSON.stringify(text));
          assert.ok(!splitsPair(text, start) && !splitsPair(text, end), JSON.stringify(text));
          previous = [start, end];
        }
      }
    });

    it('agrees with normalizeKeyword', () => {
      for (const text of texts) assert.equal(normalizeKeywordWithMap(text).normalized, normalizeKeyword(text));
    });

    it('maps every match back to original text that normalizes to contain it', () => {
      for (const text of texts) {
        const map = normalizeKeywordWithMap(text);
        const points = [...map.normalized];
        let unit = 0;
        const bounds = points.map((p) => (unit += p.length) - p.length).concat(map.normalized.length);
        for (let trial = 0; trial < 4 && points.length > 0; trial += 1) {
          const a = Math.floor(random() * points.length);
          const b = a + 1 + Math.floor(random() * (points.length - a));
          const needle = map.normalized.slice(bounds[a], bounds[b]);
          const [start, end] = originalRange(map, bounds[a] as number, bounds[b] as number);
          const back = normalizeKeyword(text.slice(start, end));
          assert.ok(back.includes(needle), `${JSON.stringify(text)} [${a},${b}) → ${JSON.stringify(back)}`);
        }
      }
    });
  });
});

describe('normalizeKeyword on ASCII text (the fast path)', () => {
  it('agrees with the full normalization for every ASCII character', () => {
    for (let code = 0; code < 0x80; code += 1) {
      const text = `a${String.fromCharCode(code)}b`;
      assert.equal(normalizeKeyword(text), normalizeKeywordWithMap(text).normalized, `U+${code.toString(16).padStart(4, '0')}`);
    }
  });

  it('agrees with the full normalization on random ASCII strings', () => {
    const random = seededRandom(0x1ce);
    for (let trial = 0; trial < 2000; trial += 1) {
      const text = Array.from({ length: Math.floor(random() * 24) }, () => String.fromCharCode(Math.floor(random() * 0x80))).join('');
      assert.equal(normalizeKeyword(text), normalizeKeywordWithMap(text).normalized, JSON.stringify(text));
    }
  });
});
