import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidIndicatorError,
  computeSellerFingerprint,
  isWeakPdqQuality,
  keywordFromText,
  parseIndicator,
  parseIndicatorValue,
} from './index.js';

const PDQ = 'f8f8f0cee0f4a84f06370a32038f67f0b36e2ed596623e1d33e6339c4e9c9b22';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SELLER = computeSellerFingerprint({ kind: 'account', value: 'ivory_shop' }, { keyId: '2026-01', key: new Uint8Array(32) });

/** Asserts an INVALID_INDICATOR naming `field` (and `index`, when given). */
function assertInvalid(fn: () => unknown, field: string, index?: number): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidIndicatorError, String(error));
    assert.equal(error.code, 'INVALID_INDICATOR');
    assert.equal(error.details?.field, field, error.message);
    assert.equal(typeof error.details?.reason, 'string');
    assert.equal(error.details?.index, index);
    return true;
  });
}

const keyword = {
  type: 'KEYWORD',
  value: '象牙手镯',
  original: '象 牙 手鐲',
  commodity: 'IVORY',
  species: 'Loxodonta africana',
  purpose: 'DECORATION',
  observedAt: '2026-03-01T12:00:00Z',
  confidence: 80,
  expiresAt: '2026-09-01T12:00:00+08:00',
  context: { language: 'zh-Hant', platformSection: 'marketplace', listingCount: 3 },
};
const pdq = { type: 'IMAGE_PDQ', value: PDQ, quality: 92, commodity: 'PANGOLIN', observedAt: '2026-03-01T12:00:00.123456Z', confidence: 60 };

describe('parseIndicatorValue', () => {
  it('accepts each type’s canonical value unchanged', () => {
    assert.equal(parseIndicatorValue('KEYWORD', '象牙手镯'), '象牙手镯');
    assert.equal(parseIndicatorValue('SELLER', SELLER), SELLER);
    assert.equal(parseIndicatorValue('IMAGE_PDQ', PDQ), PDQ);
    assert.equal(parseIndicatorValue('IMAGE_SHA256', SHA), SHA);
  });

  describe('when the value is not in its canonical form', () => {
    it('refuses upper-case hex instead of lower-casing it', () => {
      assertInvalid(() => parseIndicatorValue('IMAGE_PDQ', PDQ.toUpperCase()), 'value');
      assertInvalid(() => parseIndicatorValue('IMAGE_SHA256', SHA.toUpperCase()), 'value');
    });
    it('refuses hex of the wrong length or alphabet', () => {
      assertInvalid(() => parseIndicatorValue('IMAGE_PDQ', PDQ.slice(1)), 'value');
      assertInvalid(() => parseIndicatorValue('IMAGE_SHA256', `${SHA.slice(1)}g`), 'value');
    });
    it('refuses a keyword that is not normalized, empty or too long', () => {
      assertInvalid(() => parseIndicatorValue('KEYWORD', '象 牙'), 'value');
      assertInvalid(() => parseIndicatorValue('KEYWORD', 'Ivory'), 'value');
      assertInvalid(() => parseIndicatorValue('KEYWORD', ''), 'value');
      assertInvalid(() => parseIndicatorValue('KEYWORD', '象'.repeat(201)), 'value');
      assert.equal(parseIndicatorValue('KEYWORD', '𠀀'.repeat(200)), '𠀀'.repeat(200));
    });
    it('refuses a seller value that is not a fingerprint', () => {
      assertInvalid(() => parseIndicatorValue('SELLER', '+8613800138000'), 'value');
    });
    it('refuses a non-string', () => {
      assertInvalid(() => parseIndicatorValue('KEYWORD', 42), 'value');
    });
  });
});

describe('keywordFromText', () => {
  it('normalizes platform text into a publishable keyword', () => {
    assert.equal(keywordFromText('象 牙 手鐲'), '象牙手镯');
  });
  it('refuses text that normalizes to nothing, naming text', () => {
    assertInvalid(() => keywordFromText(' - 🐘 '), 'text');
    assertInvalid(() => keywordFromText('a'.repeat(1001)), 'text');
  });
});

describe('parseIndicator', () => {
  it('returns a typed copy of a valid KEYWORD and IMAGE_PDQ indicator', () => {
    const parsed = parseIndicator(keyword, 0);
    assert.deepEqual(parsed, keyword);
    assert.notEqual(parsed, keyword);
    assert.notEqual(parsed.context, keyword.context);
    assert.deepEqual(parseIndicator(pdq, 1), pdq);
  });

  it('accepts the minimal SELLER and IMAGE_SHA256 indicators', () => {
    const common = { commodity: 'OTHER', observedAt: '2026-03-01T00:00:00-05:30', confidence: 0 };
    assert.equal(parseIndicator({ type: 'SELLER', value: SELLER, ...common }, 0).type, 'SELLER');
    assert.equal(parseIndicator({ type: 'IMAGE_SHA256', value: SHA, ...common }, 0).type, 'IMAGE_SHA256');
  });

  describe('when a field is wrong', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['unknown type', { ...keyword, type: 'IMAGE' }, 'type'],
      ['missing commodity', { ...keyword, commodity: undefined }, 'commodity'],
      ['unknown commodity', { ...keyword, commodity: 'ELEPHANT' }, 'commodity'],
      ['unknown purpose', { ...keyword, purpose: 'SPORT' }, 'purpose'],
      ['species not a scientific name', { ...keyword, species: 'african elephant' }, 'species'],
      ['species too long', { ...keyword, species: `Loxodonta ${'a'.repeat(100)}` }, 'species'],
      ['confidence above 100', { ...keyword, confidence: 101 }, 'confidence'],
      ['confidence not an integer', { ...keyword, confidence: 50.5 }, 'confidence'],
      ['observedAt not RFC 3339', { ...keyword, observedAt: '2026-03-01 12:00:00' }, 'observedAt'],
      ['observedAt an impossible date', { ...keyword, observedAt: '2026-02-30T12:00:00Z' }, 'observedAt'],
      ['observedAt a leap second', { ...keyword, observedAt: '2026-06-30T23:59:60Z' }, 'observedAt'],
      ['expiresAt before observedAt', { ...keyword, expiresAt: '2026-03-01T12:00:00+01:00' }, 'expiresAt'],
      ['expiresAt equal to observedAt', { ...keyword, expiresAt: '2026-03-01T13:00:00+01:00' }, 'expiresAt'],
      ['value not normalized', { ...keyword, value: '象牙手鐲', original: undefined }, 'value'],
      ['original not normalizing to value', { ...keyword, original: '犀牛角' }, 'original'],
      ['original on a non-keyword', { ...pdq, original: 'x' }, 'original'],
      ['quality on a non-PDQ', { ...keyword, quality: 90 }, 'quality'],
      ['quality out of range', { ...pdq, quality: -1 }, 'quality'],
      ['upper-case PDQ', { ...pdq, value: PDQ.toUpperCase() }, 'value'],
      ['unknown field', { ...keyword, seller: '+8613800138000' }, 'seller'],
      ['free text in context', { ...keyword, context: { note: 'call 138…' } }, 'context.note'],
      ['language not a tag', { ...keyword, context: { language: 'Chinese (traditional)' } }, 'context.language'],
      ['platformSection not a slug', { ...keyword, context: { platformSection: 'Seller +86 138' } }, 'context.platformSection'],
      ['listingCount negative', { ...keyword, context: { listingCount: -1 } }, 'context.listingCount'],
      ['value of the wrong type', { ...keyword, value: 7 }, 'value'],
      ['a NUL in original', { ...keyword, original: '象 牙\u0000手鐲' }, 'original'],
      ['a NUL in species', { ...keyword, species: 'Loxodonta\u0000 africana' }, 'species'],
      ['a lone surrogate in original', { ...keyword, original: '象 牙\ud800' }, 'original'],
      ['a NUL in a context field', { ...keyword, context: { language: 'zh\u0000' } }, 'context.language'],
      ['a NUL in an unknown key', { ...keyword, context: { 'a\u0000': 1 } }, 'context'],
    ];
    for (const [name, input, field] of cases) {
      it(`refuses ${name}, naming ${field} and the index`, () => {
        assertInvalid(() => parseIndicator(input, 7), field, 7);
      });
    }

    it('refuses a non-object, naming the indicator', () => {
      assertInvalid(() => parseIndicator(null, 2), 'indicator', 2);
      assertInvalid(() => parseIndicator([keyword], 2), 'indicator', 2);
    });

    it('says "required" for a missing field', () => {
      assert.throws(
        () => parseIndicator({ ...keyword, confidence: undefined }, 0),
        (error: InvalidIndicatorError) => error.reason === 'required' && error.field === 'confidence',
      );
    });
  });
});

describe('isWeakPdqQuality', () => {
  it('flags quality under 50', () => {
    assert.equal(isWeakPdqQuality(49), true);
    assert.equal(isWeakPdqQuality(50), false);
  });
});
