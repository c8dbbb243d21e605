import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { indicatorId } from './index.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('indicatorId', () => {
  it('hashes the JCS bytes of {type, value} (checked against node:crypto on a literal JCS string)', () => {
    const jcs = '{"type":"KEYWORD","value":"象牙"}';
    const expected = createHash('sha256').update(jcs, 'utf8').digest('base64url');
    assert.equal(indicatorId('KEYWORD', '象牙'), expected);
  });

  it('matches vectors computed outside Node (Python hashlib)', () => {
    assert.equal(indicatorId('KEYWORD', '象牙'), '1p6JC-mJC4zj_BcFNuzL8BafN4Dy8UcOloi_xlsyrJM');
    assert.equal(indicatorId('IMAGE_SHA256', EMPTY_SHA256), 'ZjA3TnxDIOexVydA36H3xuYHbQ5IcQiRoPzoaBaLh2c');
  });

  it('is stable and equal for equal (type, value)', () => {
    assert.equal(indicatorId('SELLER', 'fp1.k.x'), indicatorId('SELLER', 'fp1.k.x'));
    assert.match(indicatorId('KEYWORD', 'ivory'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('differs when the type or the value differs', () => {
    assert.notEqual(indicatorId('IMAGE_PDQ', EMPTY_SHA256), indicatorId('IMAGE_SHA256', EMPTY_SHA256));
    assert.notEqual(indicatorId('KEYWORD', 'ivory'), indicatorId('KEYWORD', 'ivor'));
  });
});

describe('indicatorId against a generic RFC 8785 canonicalizer', () => {
  it('hashes the same bytes as canonicalize({type, value}) for escapes, controls, astral and non-ASCII text', async () => {
    const { default: canonicalize } = await import('canonicalize');
    const values = ['', 'ivory', '象牙手镯', 'a"b\\c', 'tab\tnew\nline\u0000\u001f\u007f', '\u2028\u2029', '😀🐘', 'é', '</script>', EMPTY_SHA256];
    for (const value of values) {
      for (const type of ['KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256'] as const) {
        const expected = createHash('sha256').update(canonicalize({ type, value })!, 'utf8').digest('base64url');
        assert.equal(indicatorId(type, value), expected, JSON.stringify(value));
      }
    }
  });

  it('refuses a value with a lone surrogate, which has no JCS form', () => {
    assert.throws(() => indicatorId('KEYWORD', 'a\uD800b'), TypeError);
  });
});
