import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { pdqDihedralFromPixels, pdqFromPixels, pdqDistance, hashImage, HashingError, type Pixels } from './index.js';

/** A smooth, structured grey image: sums of low-frequency waves, deterministic. */
function synthetic(width: number, height: number, seed = 1): Pixels {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 60 * Math.sin((x * seed) / 9 + y / 17) + 40 * Math.cos((y * (seed + 1)) / 13 - x / 23) + 20 * Math.sin((x + 2 * y) / 5);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width, height, channels: 1, data };
}

function transform(p: Pixels, map: (x: number, y: number) => [number, number], width: number, height: number): Pixels {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) {
    const [nx, ny] = map(x, y);
    data[ny * width + nx] = p.data[y * p.width + x]!;
  }
  return { width, height, channels: 1, data };
}

const bits = (hex: string): number => pdqDistance(hex, '0'.repeat(64));

describe('PDQ', () => {
  it('sets exactly 128 of 256 bits on a normal image', () => {
    assert.equal(bits(pdqFromPixels(synthetic(300, 200)).hash), 128);
  });

  it('hashes an image smaller than 5 px on a side to zeros with quality 0', () => {
    assert.deepEqual(pdqFromPixels(synthetic(4, 100)), { hash: '0'.repeat(64), quality: 0 });
  });

  it('gives a flat image quality 0', () => {
    assert.equal(pdqFromPixels({ width: 100, height: 100, channels: 1, data: new Uint8Array(10_000).fill(90) }).quality, 0);
  });

  it('treats an RGB image whose pixels are all grey like the grey image', () => {
    const grey = synthetic(150, 120);
    const rgb = new Uint8Array(grey.data.length * 3);
    grey.data.forEach((v, i) => rgb.set([v, v, v], i * 3));
    assert.equal(pdqFromPixels({ ...grey, channels: 3, data: rgb }).hash, pdqFromPixels(grey).hash);
  });

  describe('dihedral hashes', () => {
    const original = synthetic(64, 64, 3);
    const all = pdqDihedralFromPixels(original).hashes;
    const cases: Array<[keyof typeof all, (x: number, y: number) => [number, number]]> = [
      ['rot90', (x, y) => [y, 63 - x]],
      ['rot180', (x, y) => [63 - x, 63 - y]],
      ['rot270', (x, y) => [63 - y, x]],
      ['flipx', (x, y) => [x, 63 - y]],
      ['flipy', (x, y) => [63 - x, y]],
      ['flipp', (x, y) => [y, x]],
      ['flipm', (x, y) => [63 - y, 63 - x]],
    ];
    for (const [name, map] of cases) {
      it(`${name} is the hash of the ${name}-transformed image (64×64: no blur, so nearly exact)`, () => {
        assert.ok(pdqDistance(all[name], pdqFromPixels(transform(original, map, 64, 64)).hash) <= 4);
      });
    }
    it('orig is the plain hash', () => assert.equal(all.orig, pdqFromPixels(original).hash));
  });

  it('moves little under mild JPEG re-encoding and far for another image', async () => {
    const raw = synthetic(400, 300, 2);
    const png = await sharp(Buffer.from(raw.data), { raw: { width: 400, height: 300, channels: 1 } }).png().toBuffer();
    const jpeg = await sharp(png).jpeg({ quality: 70 }).toBuffer();
    const other = await sharp(Buffer.from(synthetic(400, 300, 7).data), { raw: { width: 400, height: 300, channels: 1 } }).png().toBuffer();
    const [a, b, c] = await Promise.all([hashImage(png), hashImage(jpeg), hashImage(other)]);
    assert.ok(pdqDistance(a.pdq, b.pdq) <= 16, `re-encoded: ${pdqDistance(a.pdq, b.pdq)}`);
    assert.ok(pdqDistance(a.pdq, c.pdq) > 60, `different: ${pdqDistance(a.pdq, c.pdq)}`);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
  });

  it('refuses bytes that are not an image with IMAGE_UNREADABLE', async () => {
    await assert.rejects(hashImage(Buffer.from('not an image')), (e: unknown) => e instanceof HashingError && e.code === 'IMAGE_UNREADABLE');
  });
});
