import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findUnsafeText, MAX_INPUT_DEPTH, unsafeTextReason } from './text-safety.js';

describe('unsafeTextReason', () => {
  it('accepts text in any script, emoji (surrogate pairs) included', () => {
    for (const s of ['', 'ivory', '象牙手镯', 'rhino horn 500g', '🐘🦏', 'ｉｖｏｒｙ', 'a\tb\nc']) assert.equal(unsafeTextReason(s), undefined, s);
  });
  it('refuses a NUL anywhere', () => {
    for (const s of ['\u0000', 'a\u0000', '\u0000b', '象\u0000牙']) assert.equal(unsafeTextReason(s), 'contains a NUL character');
  });
  it('refuses lone high and low surrogates, and reversed pairs', () => {
    for (const s of ['\ud800', 'a\udbff', '\udc00b', '\ude00\ud83d', '🐘'.slice(0, 1)]) assert.match(unsafeTextReason(s) ?? '', /surrogate/, JSON.stringify(s));
  });
});

describe('findUnsafeText', () => {
  it('names the path of the first bad string in nested values', () => {
    assert.deepEqual(findUnsafeText({ a: 'ok', b: [1, 'ok', { c: 'x\u0000' }] }), { path: 'b[2].c', reason: 'contains a NUL character' });
    assert.equal(findUnsafeText({ a: ['ok', 1, null, true, { b: '象牙' }] }), undefined);
  });
  it('refuses a bad object key without echoing it in the path', () => {
    const found = findUnsafeText({ outer: { 'k\u0000': 1 } });
    assert.equal(found?.path, 'outer');
  });
});

/** The rule as first written (recursive), with the depth limit: the oracle for generated values. */
function oracle(value: unknown, path = '', depth = 0): { path: string; reason: string } | undefined {
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    return reason === undefined ? undefined : { path: path || '(value)', reason };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_INPUT_DEPTH) return { path: path || '(value)', reason: `is nested deeper than ${MAX_INPUT_DEPTH} levels` };
  for (const [key, item] of Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value)) {
    if (typeof key === 'string' && unsafeTextReason(key) !== undefined) return { path: path || '(value)', reason: unsafeTextReason(key)! };
    const found = oracle(item, typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('findUnsafeText at any depth', () => {
  const nested = (depth: number, leaf: unknown = 'x'): unknown => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };

  it('refuses 20,000 nested arrays (a 40 KB body) without exhausting the stack', () => {
    const value = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    const found = findUnsafeText(value);
    assert.equal(found?.reason, `is nested deeper than ${MAX_INPUT_DEPTH} levels`);
    assert.equal(found?.path, '[0]'.repeat(MAX_INPUT_DEPTH));
  });

  it('accepts exactly MAX_INPUT_DEPTH levels and refuses one more', () => {
    assert.equal(findUnsafeText(nested(MAX_INPUT_DEPTH)), undefined);
    assert.match(findUnsafeText(nested(MAX_INPUT_DEPTH + 1))?.reason ?? '', /nested deeper/);
  });

  it('agrees with the recursive rule on generated values', () => {
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648), seed % n);
    const strings = ['ok', '象牙', 'a\u0000', '\ud800', '🐘', ''];
    const generate = (depth: number): unknown => {
      const pick = next(depth > 40 ? 3 : 6);
      if (pick === 0) return strings[next(strings.length)];
      if (pick === 1) return next(2) === 0 ? null : next(100);
      if (pick === 2) return true;
      if (pick === 3) return Array.from({ length: next(3) }, () => generate(depth + 1));
      return Object.fromEntries(Array.from({ length: next(3) }, (_, i) => [next(8) === 0 ? `k\u0000${i}` : `k${i}`, generate(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const value = i % 50 === 0 ? nested(MAX_INPUT_DEPTH + next(3) - 1, generate(0)) : generate(0);
      assert.deepEqual(findUnsafeText(value), oracle(value), JSON.stringify(value).slice(0, 200));
    }
  });
});
