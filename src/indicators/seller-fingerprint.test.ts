import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  InvalidIdentifierError,
  InvalidIndicatorError,
  InvalidPseudonymKeyError,
  canonicalIdentifier,
  computeSellerFingerprint,
  parseSellerFingerprint,
} from './index.js';
import type { SellerIdentifier } from './index.js';

const KEY = { keyId: 'test-1', key: Uint8Array.from({ length: 32 }, (_, i) => i) };
const CN = { defaultRegion: 'CN' } as const;

function fingerprint(identifier: SellerIdentifier): string {
  return computeSellerFingerprint(identifier, KEY, CN);
}

function assertRefused(fn: () => unknown, ErrorClass: new (...args: never[]) => Error, code: string, field: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
    assert.equal((error as InvalidIdentifierError).code, code);
    assert.equal((error as InvalidIdentifierError).details?.field, field);
    return true;
  });
}

describe('computeSellerFingerprint', () => {
  it('is fp1.<keyId>.<HMAC-SHA256 of kind:canonical> (known answer, computed with node:crypto)', () => {
    const mac = createHmac('sha256', Buffer.from(KEY.key)).update('phone:+8613800138000').digest('base64url');
    assert.equal(fingerprint({ kind: 'phone', value: '+86 138 0013 8000' }), `fp1.test-1.${mac}`);
  });

  it('matches vectors computed outside Node (Python hmac)', () => {
    assert.equal(fingerprint({ kind: 'phone', value: '13800138000' }), 'fp1.test-1.JNpRMYYHONXzUo8jRaLVd9Iv06e31DBtZWhUbjp3xnA');
    assert.equal(fingerprint({ kind: 'email', value: 'seller@example.com' }), 'fp1.test-1.6xBJjmvuUEApIQJQSiCROsJn-2zMprIWL2BaCF_mJI4');
    assert.equal(fingerprint({ kind: 'account', value: 'tiger_king' }), 'fp1.test-1.IZtenx2yjynLdc2-ngvkAl394YoJLtNx_5W20Ud8Qa0');
  });

  describe('when the same phone is written differently', () => {
    it('gives one fingerprint for +86 138 0013 8000, 13800138000 (CN), 008613800138000 and full-width digits', () => {
      const expected = fingerprint({ kind: 'phone', value: '+86 138 0013 8000' });
      for (const value of ['13800138000', '008613800138000', '+86-138-0013-8000', '+86１３８００１３８０００']) {
        assert.equal(fingerprint({ kind: 'phone', value }), expected, value);
      }
    });
  });

  it('ignores case and surrounding white space in e-mail addresses', () => {
    assert.equal(fingerprint({ kind: 'email', value: '  Seller@Example.COM\n' }), fingerprint({ kind: 'email', value: 'seller@example.com' }));
  });

  it('applies NFKC, trim and lower case to other kinds', () => {
    assert.equal(fingerprint({ kind: 'chat', value: ' ＴｉｇｅｒＫｉｎｇ ' }), fingerprint({ kind: 'chat', value: 'tigerking' }));
  });

  it('separates kinds: the same text as account and as chat differs', () => {
    assert.notEqual(fingerprint({ kind: 'account', value: 'abc' }), fingerprint({ kind: 'chat', value: 'abc' }));
  });

  it('differs per key epoch', () => {
    const other = { keyId: 'test-2', key: new Uint8Array(32).fill(7) };
    const a = fingerprint({ kind: 'url', value: 'https://shop.example/s/1' });
    const b = computeSellerFingerprint({ kind: 'url', value: 'https://shop.example/s/1' }, other);
    assert.notEqual(a.split('.')[2], b.split('.')[2]);
  });

  describe('when the identifier is invalid', () => {
    it('refuses a phone number that is not valid, naming value and never echoing it', () => {
      assertRefused(() => fingerprint({ kind: 'phone', value: '+86 138' }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
      assertRefused(() => fingerprint({ kind: 'phone', value: 'call 13800138000' }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
      assert.throws(() => fingerprint({ kind: 'phone', value: '+86 138' }), (error: Error) => !error.message.includes('138'));
    });

    it('refuses a national number without a region', () => {
      assertRefused(
        () => computeSellerFingerprint({ kind: 'phone', value: '13800138000' }, KEY),
        InvalidIdentifierError,
        'INVALID_IDENTIFIER',
        'value',
      );
    });

    it('refuses a malformed e-mail address', () => {
      for (const value of ['seller', 'a@b', 'a b@example.com', '@example.com', 'a@@example.com']) {
        assertRefused(() => fingerprint({ kind: 'email', value }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
      }
    });

    it('refuses a blank or oversized value', () => {
      assertRefused(() => fingerprint({ kind: 'account', value: ' \t ' }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
      assertRefused(() => fingerprint({ kind: 'account', value: 'x'.repeat(1025) }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
    });

    it('refuses an identifier made only of invisible characters (zero-width, bidi marks, fillers), which would name every such seller at once', () => {
      for (const value of ['\u200b', '\u200b\u200c\u200d', '\u2060\ufeff', '\u202e\u202d', '\u3164', '\u115f\u1160', '\u00ad', ' \u200b ', '\u180e']) {
        for (const kind of ['account', 'chat', 'payment', 'url'] as const) {
          assertRefused(() => fingerprint({ kind, value }), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'value');
        }
      }
      assert.match(fingerprint({ kind: 'account', value: '\u200bivory_shop' }), /^fp1\./, 'visible characters beside them are kept as they are');
    });

    it('refuses an unknown kind', () => {
      const identifier = { kind: 'passport', value: 'X1' } as unknown as SellerIdentifier;
      assertRefused(() => fingerprint(identifier), InvalidIdentifierError, 'INVALID_IDENTIFIER', 'kind');
    });
  });

  describe('when the pseudonym key is unusable', () => {
    it('refuses a short key and a bad keyId', () => {
      const id = { kind: 'account', value: 'a' } as const;
      assertRefused(() => computeSellerFingerprint(id, { keyId: 'k', key: new Uint8Array(16) }), InvalidPseudonymKeyError, 'INVALID_PSEUDONYM_KEY', 'key');
      for (const keyId of ['', 'K1', 'a.b', '-a', 'a'.repeat(33)]) {
        assertRefused(() => computeSellerFingerprint(id, { keyId, key: KEY.key }), InvalidPseudonymKeyError, 'INVALID_PSEUDONYM_KEY', 'keyId');
      }
    });
  });
});

describe('canonicalIdentifier', () => {
  it('gives E.164 for phones and trimmed lower case for e-mail', () => {
    assert.equal(canonicalIdentifier({ kind: 'phone', value: '(202) 555-0123' }, { defaultRegion: 'US' }), '+12025550123');
    assert.equal(canonicalIdentifier({ kind: 'email', value: ' A.B@Example.org ' }), 'a.b@example.org');
  });
});

describe('parseSellerFingerprint', () => {
  it('splits a computed fingerprint into keyId and 32-byte digest', () => {
    const parts = parseSellerFingerprint(fingerprint({ kind: 'account', value: 'x' }));
    assert.equal(parts.keyId, 'test-1');
    assert.equal(parts.digest.length, 32);
  });

  it('refuses other shapes and non-canonical base64url, naming value', () => {
    const good = fingerprint({ kind: 'account', value: 'x' });
    const digest = good.split('.')[2] as string;
    // The last of 43 characters holds 4 data bits; flipping an unused bit keeps the bytes but not the spelling.
    const last = digest.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = digest.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
    for (const value of [
      'fp2.test-1.' + digest,
      'fp1.Test.' + digest,
      'fp1.test-1.' + digest + 'A',
      'fp1..' + digest,
      'fp1.test-1.' + digest.slice(0, -1) + '=',
      'fp1.test-1.' + nonCanonical,
    ]) {
      assertRefused(() => parseSellerFingerprint(value), InvalidIndicatorError, 'INVALID_INDICATOR', 'value');
    }
  });
});
