import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { computeListingPseudonym, computeSellerFingerprint, indicatorId, type PseudonymKey } from '../indicators/index.js';
import { createAnonymizer } from './anonymizer.js';
import { NodeError } from './errors.js';
import { parseObservations, type Observation } from './observation.js';

const key: PseudonymKey = { keyId: '2026-01', key: new Uint8Array(32).fill(7) };
const older: PseudonymKey = { keyId: '2025-01', key: new Uint8Array(32).fill(9) };
const common = { commodity: 'IVORY', confidence: 80, observedAt: '2026-03-01T12:00:00Z' } as const;

function observe(...items: object[]): Observation[] {
  return parseObservations({ observations: items.map((i) => ({ ...common, ...i })) });
}

function isInvalid(index: number, field: string) {
  return (err: unknown): boolean => err instanceof NodeError && err.code === 'INVALID_OBSERVATION' && err.details?.['index'] === index && err.details?.['field'] === field;
}

async function picture(): Promise<Buffer> {
  const w = 200;
  const h = 150;
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    data[i * 3] = (x * 5) % 256;
    data[i * 3 + 1] = (y * 3 + (x > 60 && x < 120 ? 90 : 0)) % 256;
    data[i * 3 + 2] = (x * y) % 211;
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

describe('anonymizer', () => {
  const anonymizer = createAnonymizer({ pseudonymKeys: [older, key], defaultRegion: 'CN' });

  describe('listings', () => {
    it('puts the listing pseudonym on every indicator of the observation, and the raw listing only in the vault', async () => {
      const raw = 'https://shop.example/item/8812';
      const [seller, text] = observe({ kind: 'seller', identifier: { type: 'phone', value: '13800138000' }, listing: raw }, { kind: 'keyword', text: '象牙手镯 加我 13900139000', listing: raw });
      const lp = computeListingPseudonym(raw, key);
      const made = [await anonymizer.anonymize(seller!, 0), await anonymizer.anonymize(text!, 1)];
      for (const m of made) for (const i of m.indicators) assert.deepEqual(i.indicator.listings, [lp], i.indicator.type);
      assert.equal(made[1]!.indicators.length, 2, 'the keyword and the seller found in its text share the listing');
      assert.ok(made.every((m) => m.pseudonyms.some((p) => p.fingerprint === lp && p.identifier.kind === 'listing' && p.identifier.value === raw)));
      assert.ok(!JSON.stringify(made.map((m) => m.indicators)).includes('8812'), 'the raw listing id is never in an indicator');
    });

    it('publishes no listings for an observation without one', async () => {
      const [o] = observe({ kind: 'keyword', text: '象牙手镯' });
      assert.equal((await anonymizer.anonymize(o!, 0)).indicators[0]!.indicator.listings, undefined);
    });

    it('refuses a blank listing at its field', async () => {
      const [o] = observe({ kind: 'keyword', text: '象牙手镯', listing: '   ' });
      await assert.rejects(anonymizer.anonymize(o!, 2), isInvalid(2, 'listing'));
    });
  });

  describe('seller identifiers', () => {
    it('fingerprints a phone as E.164 under the current key, however the platform wrote it', async () => {
      const [a, b] = observe({ kind: 'seller', identifier: { type: 'phone', value: '+86 138 0013 8000' } }, { kind: 'seller', identifier: { type: 'phone', value: '13800138000' } });
      const made = [await anonymizer.anonymize(a!, 0), await anonymizer.anonymize(b!, 1)];
      const expected = computeSellerFingerprint({ kind: 'phone', value: '+8613800138000' }, key);
      assert.deepEqual(made.map((m) => m.indicators[0]!.indicator.value), [expected, expected]);
      assert.equal(made[0]!.indicators[0]!.id, indicatorId('SELLER', expected));
      assert.deepEqual(made[0]!.pseudonyms[0], { fingerprint: expected, keyId: '2026-01', identifier: { kind: 'phone', value: '+86 138 0013 8000' } });
      assert.equal(made[0]!.tlp, 'AMBER', 'nodes default to AMBER');
    });

    it('refuses a number that is not a phone number, naming the field but never the value', async () => {
      const [o] = observe({ kind: 'seller', identifier: { type: 'phone', value: '12345' } });
      await assert.rejects(anonymizer.anonymize(o!, 4), (err: Error) => isInvalid(4, 'identifier.value')(err) && !err.message.includes('12345'));
    });

    it('gives the ids of a raw identifier under every key held, for retractions', () => {
      const ids = anonymizer.sellerIndicatorIds({ kind: 'email', value: 'Seller@Example.com' });
      assert.deepEqual(ids, [older, key].map((k) => indicatorId('SELLER', computeSellerFingerprint({ kind: 'email', value: 'seller@example.com' }, k))));
    });
  });

  describe('keywords', () => {
    it('publishes the normalized keyword and keeps the text as original', async () => {
      const [o] = observe({ kind: 'keyword', text: '象 牙 手鐲', language: 'zh' });
      const { indicators } = await anonymizer.anonymize(o!, 0);
      assert.deepEqual(indicators[0]!.indicator, { type: 'KEYWORD', value: '象牙手镯', original: '象 牙 手鐲', ...common, context: { language: 'zh' } });
    });

    const cases: Array<[string, string, Array<{ kind: 'phone' | 'email' | 'chat' | 'url'; value: string }>]> = [
      ['象牙 加微信 13800138000', '象牙 加微信 [phone]', [{ kind: 'phone', value: '+8613800138000' }]],
      ['加微信 zzwx_seller8812 象牙', '加微信 [chat] 象牙', [{ kind: 'chat', value: 'zzwx_seller8812' }]],
      ['ivory zzbob at example dot org', 'ivory [email]', [{ kind: 'email', value: 'zzbob@example.org' }]],
      ['象牙 https://shop.example/1', '象牙 [link]', [{ kind: 'url', value: 'https://shop.example/1' }]],
      ['象牙 ＱＱ１２３４５６７８', '象牙 ＱＱ[chat]', [{ kind: 'chat', value: '12345678' }]],
    ];
    for (const [text, published, identifiers] of cases) {
      it(`publishes ${JSON.stringify(text)} as ${JSON.stringify(published)}, the identifier as its pseudonym`, async () => {
        const [o] = observe({ kind: 'keyword', text });
        const made = await anonymizer.anonymize(o!, 0);
        const [keyword, ...sellers] = made.indicators;
        assert.deepEqual([keyword!.indicator.type, (keyword!.indicator as { original?: string }).original], ['KEYWORD', published]);
        const expected = identifiers.map((i) => computeSellerFingerprint(i, key, { defaultRegion: 'CN' }));
        assert.deepEqual(sellers.map((s) => [s.indicator.type, s.indicator.value]), expected.map((fp) => ['SELLER', fp]));
        assert.deepEqual(made.pseudonyms.map((p) => p.identifier), identifiers, 'the raw identifier goes to the vault only');
        assert.ok(!JSON.stringify(made.indicators).includes(identifiers[0]!.value.replace(/^\+86/, '')), 'nothing published holds it');
      });
    }

    it('makes no keyword from text that is only an identifier, and refuses text that is only a number', async () => {
      const [phone, number] = observe({ kind: 'keyword', text: '+86 138 0013 8000' }, { kind: 'keyword', text: '6222 0212 3456 7890' });
      assert.deepEqual((await anonymizer.anonymize(phone!, 0)).indicators.map((i) => i.indicator.type), ['SELLER']);
      await assert.rejects(anonymizer.anonymize(number!, 1), isInvalid(1, 'text'));
    });

    it('lets ordinary trafficking vocabulary through unchanged', async () => {
      const [o] = observe({ kind: 'keyword', text: '白色 象牙 手镯 2024 新款 500g' });
      const made = await anonymizer.anonymize(o!, 0);
      assert.deepEqual(made.indicators.map((i) => (i.indicator as { original?: string }).original), ['白色 象牙 手镯 2024 新款 500g']);
    });
  });

  describe('images', () => {
    let png: Buffer;
    let dir: string;
    before(async () => {
      png = await picture();
      dir = mkdtempSync(path.join(tmpdir(), 'wildintel-images-'));
      writeFileSync(path.join(dir, 'a.png'), png);
      const outside = mkdtempSync(path.join(tmpdir(), 'wildintel-outside-'));
      writeFileSync(path.join(outside, 'b.png'), png);
      symlinkSync(path.join(outside, 'b.png'), path.join(dir, 'link.png'));
    });

    it('makes IMAGE_PDQ with its quality and IMAGE_SHA256 of the bytes', async () => {
      const [o] = observe({ kind: 'image', data: png.toString('base64') });
      const { indicators } = await anonymizer.anonymize(o!, 0);
      assert.deepEqual(indicators.map((i) => i.indicator.type), ['IMAGE_PDQ', 'IMAGE_SHA256']);
      const pdq = indicators[0]!.indicator;
      assert.ok(pdq.type === 'IMAGE_PDQ' && /^[0-9a-f]{64}$/.test(pdq.value) && typeof pdq.quality === 'number' && pdq.quality >= 50);
      assert.equal(indicators[1]!.indicator.value, createHash('sha256').update(png).digest('hex'));
    });

    it('reads a path only inside NODE_IMAGE_DIR, links resolved', async () => {
      const withDir = createAnonymizer({ pseudonymKeys: [key], imageDir: dir });
      const [inside, link, parent] = observe({ kind: 'image', path: 'a.png' }, { kind: 'image', path: 'link.png' }, { kind: 'image', path: '../a.png' });
      assert.equal((await withDir.anonymize(inside!, 0)).indicators[1]!.indicator.value, createHash('sha256').update(png).digest('hex'));
      await assert.rejects(withDir.anonymize(link!, 1), isInvalid(1, 'path'));
      await assert.rejects(withDir.anonymize(parent!, 2), isInvalid(2, 'path'));
      await assert.rejects(anonymizer.anonymize(inside!, 0), isInvalid(0, 'path'), 'no NODE_IMAGE_DIR: path refused');
    });

    it('refuses bytes that are not an image', async () => {
      const [o] = observe({ kind: 'image', data: Buffer.from('not an image').toString('base64') });
      await assert.rejects(anonymizer.anonymize(o!, 0), isInvalid(0, 'data'));
    });

    it('refuses a blank image (PDQ quality 0) with PDQ_QUALITY_TOO_LOW, under a threshold the node sets', async () => {
      const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
      const [o] = observe({ kind: 'image', data: blank.toString('base64') });
      await assert.rejects(anonymizer.anonymize(o!, 0), (e: unknown) => isInvalid(0, 'data')(e) && (e as NodeError).details?.['reason'] === 'PDQ_QUALITY_TOO_LOW');
      const lenient = createAnonymizer({ pseudonymKeys: [key], minPdqQuality: 0 });
      assert.equal((await lenient.anonymize(o!, 0)).indicators[0]!.indicator.type, 'IMAGE_PDQ');
    });

    it('refuses an image too wide to hash (a 15 KB PNG a million pixels wide) as invalid, not as a failure', async () => {
      const width = (1 << 20) + 1;
      const wide = await sharp(Buffer.alloc(width * 5, 128), { raw: { width, height: 5, channels: 1 } }).png().toBuffer();
      const [o] = observe({ kind: 'image', data: wide.toString('base64') });
      await assert.rejects(anonymizer.anonymize(o!, 0), (e: unknown) => isInvalid(0, 'data')(e) && /wider than 1048576 pixels/.test((e as Error).message) && (e as NodeError).details?.['reason'] === 'IMAGE_TOO_LARGE');
    });
  });

  it('refuses what the hub would refuse, on the platform API field', async () => {
    const [o] = observe({ kind: 'keyword', text: '象牙', species: 'elephant' });
    await assert.rejects(anonymizer.anonymize(o!, 0), isInvalid(0, 'species'));
    const [late] = observe({ kind: 'keyword', text: '象牙', expiresAt: '2026-01-01T00:00:00Z' });
    await assert.rejects(anonymizer.anonymize(late!, 0), isInvalid(0, 'expiresAt'));
  });
});

describe('parseObservations', () => {
  it('names the index and field of the first bad observation', () => {
    assert.throws(() => observe({ kind: 'keyword', text: 'a' }, { kind: 'seller', identifier: { type: 'fax', value: '1' } }), isInvalid(1, 'identifier.type'));
    assert.throws(() => observe({ kind: 'keyword', text: 'a', colour: 'red' }), isInvalid(0, 'colour'));
    assert.throws(() => observe({ kind: 'image', data: 'aGk=', path: 'x.png' }), isInvalid(0, 'data'));
    assert.throws(() => parseObservations({ observations: [{ kind: 'keyword', text: 'a', confidence: 80, observedAt: '2026-03-01T00:00:00Z' }] }), isInvalid(0, 'commodity'));
    assert.throws(() => parseObservations({ observations: [] }), isInvalid(-1, 'observations'));
  });
});
