import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../test/helpers/fuzz-random.js';
import { normalizeKeyword } from '../indicators/index.js';
import { DEFAULT_GENERIC_TERMS, compileGenericTerms, keywordSpecificity, type BroadRule } from './index.js';

/** The rule restated independently: counts by global regexes, coverage by a backtracking RegExp. */
function oracle(value: string, terms: readonly string[]): BroadRule | undefined {
  if (Array.from(value).length <= 1) return 'SINGLE_CHARACTER';
  const wide = (value.match(/[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/gu) ?? []).length;
  const letters = (value.match(/\p{L}/gu) ?? []).length;
  if (letters === 0) return 'NO_LETTERS';
  if (2 * wide + (letters - wide) < 4) return 'TOO_SHORT';
  const alternatives = terms.filter((t) => Array.from(t).length >= 2).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (new RegExp(`^(?:${alternatives.join('|')}|\\P{L})*$`, 'u').test(value)) return 'GENERIC_ONLY';
  return undefined;
}

function ruleOf(value: string, terms = DEFAULT_GENERIC_TERMS): BroadRule | undefined {
  const s = keywordSpecificity(value, compileGenericTerms(terms));
  return s.broad ? s.rule : undefined;
}


const PIECES: ReadonlyArray<(r: () => number) => string> = [
  (r) => DEFAULT_GENERIC_TERMS[Math.floor(r() * DEFAULT_GENERIC_TERMS.length)]!,
  (r) => DEFAULT_GENERIC_TERMS[Math.floor(r() * DEFAULT_GENERIC_TERMS.length)]!,
  (r) => '象牙犀角穿山甲虎骨龟鸟白邮货'[Math.floor(r() * 14)]!,
  (r) => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)]!,
  (r) => String(Math.floor(r() * 10)),
  (r) => String(Math.floor(r() * 1000)),
  (r) => 'アイウかき한글'[Math.floor(r() * 7)]!,
  () => 'é',
];

describe('keyword specificity', () => {
  it('refuses the issue’s examples and keeps real code words', () => {
    assert.equal(ruleOf('e'), 'SINGLE_CHARACTER');
    assert.equal(ruleOf('包邮'), 'GENERIC_ONLY');
    assert.equal(ruleOf(normalizeKeyword('free shipping')), 'GENERIC_ONLY');
    assert.equal(ruleOf('包邮99'), 'GENERIC_ONLY');
    assert.equal(ruleOf('象'), 'SINGLE_CHARACTER');
    assert.equal(ruleOf('象1'), 'TOO_SHORT');
    assert.equal(ruleOf('ivo'), 'TOO_SHORT');
    assert.equal(ruleOf('13800138000'), 'NO_LETTERS');
    for (const ok of ['象牙', '象牙手镯', '包邮象牙手镯', 'ivory', 'horn', 'rhinohorn', '穿山甲片', 'forest', 'shipment']) assert.equal(ruleOf(ok), undefined, ok);
  });

  it('agrees with an independent oracle over generated normalized keywords', () => {
    const rng = createRng(21);
    const r = rng.next;
    const seen = new Map<string, number>();
    for (let n = 0; n < 5000; n++) {
      const pieces = 1 + Math.floor(r() * 6);
      let value = '';
      for (let p = 0; p < pieces; p++) value += PIECES[Math.floor(r() * PIECES.length)]!(r);
      value = normalizeKeyword(value);
      if (value === '') continue;
      const expected = oracle(value, DEFAULT_GENERIC_TERMS);
      assert.equal(ruleOf(value), expected, `case ${n}: ${JSON.stringify(value)}`);
      seen.set(expected ?? 'NARROW', (seen.get(expected ?? 'NARROW') ?? 0) + 1);
    }
    // Every outcome is exercised, so agreement is not agreement on one branch.
    for (const outcome of ['SINGLE_CHARACTER', 'NO_LETTERS', 'TOO_SHORT', 'GENERIC_ONLY', 'NARROW']) assert.ok((seen.get(outcome) ?? 0) > 20, `${outcome}: ${seen.get(outcome) ?? 0}`);
  });

  it('takes a federation list of generic terms in place of the built-in one', () => {
    assert.equal(ruleOf('ivorycarving', ['ivory', 'carving']), 'GENERIC_ONLY');
    assert.equal(ruleOf('包邮', ['ivory']), undefined);
  });
});
