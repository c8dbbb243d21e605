import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as OpenCC from 'opencc-js';
import { toSimplifiedChar } from './simplified-chinese.js';

/** The conversion as it was done before the table: OpenCC's own hk → cn converter, per character, until stable. */
const convert = OpenCC.Converter({ from: 'hk', to: 'cn' });
function throughOpenCC(char: string): string {
  let current = char;
  for (let round = 0; round < 4; round += 1) {
    const next = convert(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

describe('toSimplifiedChar', () => {
  it("equals OpenCC's hk → cn converter, iterated to a fixed point, for every Han code point", () => {
    const han = /^\p{Script=Han}$/u;
    let checked = 0;
    let changed = 0;
    for (let cp = 0; cp <= 0x10ffff; cp += 1) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const char = String.fromCodePoint(cp);
      if (!han.test(char)) continue;
      const expected = throughOpenCC(char);
      assert.equal(toSimplifiedChar(char), expected, `U+${cp.toString(16)}`);
      checked += 1;
      if (expected !== char) changed += 1;
    }
    assert.ok(checked > 90_000 && changed > 3_000, `checked ${checked}, changed ${changed}`);
  });

  it('follows chains to their end and leaves other scripts alone', () => {
    assert.equal(toSimplifiedChar('薴'), '苎');
    assert.equal(toSimplifiedChar('衞'), '卫');
    assert.equal(toSimplifiedChar('鐲'), '镯');
    assert.equal(toSimplifiedChar('镯'), '镯');
    for (const char of ['a', 'é', 'ガ', '가', '😀', '']) assert.equal(toSimplifiedChar(char), char);
  });
});
