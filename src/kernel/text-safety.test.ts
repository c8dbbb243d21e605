import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findUnsafeText, unsafeTextReason } from './text-safety.js';

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
