import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bitsToHex } from './pdq.js';
import { DIHEDRAL_NAMES, HashingError, pdqDihedralFromHash, pdqDihedralFromPixels, pdqDistance, pdqFromPixels, type DihedralName, type Pixels } from './index.js';

const ZERO = '0'.repeat(64);

/** A smooth, structured grey image: sums of low-frequency waves, deterministic. */
function waves(width: number, height: number, seed = 1): Pixels {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 60 * Math.sin((x * seed) / 9 + y / 17) + 40 * Math.cos((y * (seed + 1)) / 13 - x / 23) + 20 * Math.sin((x + 2 * y) / 5);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width, height, channels: 1, data };
}

/** Colour noise over gradients, `channels` 3 or 4 (the alpha sample is noise too). */
function colourNoise(width: number, height: number, channels: 3 | 4, seed = 7): Pixels {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[i * channels + c] = ((s >>> 16) % 64) + (c === 3 ? 0 : ((i % width) / width) * 100 + (c * Math.floor(i / width)) / (height / 90));
    }
  }
  return { width, height, channels, data };
}

/** Where pixel (x, y) of a W×H image lands under each transform, and the new width. */
const TRANSFORMS: Record<Exclude<DihedralName, 'orig'>, (x: number, y: number, w: number, h: number) => [number, number, number]> = {
  rot90: (x, y, w) => [y, w - 1 - x, 0], // counter-clockwise
  rot180: (x, y, w, h) => [w - 1 - x, h - 1 - y, 1],
  rot270: (x, y, _w, h) => [h - 1 - y, x, 0], // clockwise
  flipx: (x, y, _w, h) => [x, h - 1 - y, 1], // top ↔ bottom
  flipy: (x, y, w) => [w - 1 - x, y, 1], // left ↔ right
  flipp: (x, y) => [y, x, 0], // transpose
  flipm: (x, y, w, h) => [h - 1 - y, w - 1 - x, 0], // anti-transpose
};

function transform(p: Pixels, name: Exclude<DihedralName, 'orig'>): Pixels {
  const { width: w, height: h } = p;
  const keepsShape = TRANSFORMS[name](0, 0, w, h)[2] === 1;
  const [nw, nh] = keepsShape ? [w, h] : [h, w];
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [nx, ny] = TRANSFORMS[name](x, y, w, h);
      data[ny * nw + nx] = p.data[y * w + x]!;
    }
  }
  return { width: nw, height: nh, channels: 1, data };
}

const bitCount = (hex: string): number => pdqDistance(hex, ZERO);
const refusesPixels = (p: Pixels): void => assert.throws(() => pdqFromPixels(p), (e: unknown) => e instanceof HashingError && e.code === 'INVALID_PIXELS');

describe('pdqFromPixels', () => {
  it('sets exactly 128 of the 256 bits on normal images (grey and colour)', () => {
    assert.equal(bitCount(pdqFromPixels(waves(300, 200)).hash), 128);
    assert.equal(bitCount(pdqFromPixels(colourNoise(517, 389, 3)).hash), 128);
  });

  it('returns 64 lowercase hex characters and an integer quality in 0..100', () => {
    const { hash, quality } = pdqFromPixels(colourNoise(200, 150, 3));
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.ok(Number.isInteger(quality) && quality >= 0 && quality <= 100);
  });

  it('is deterministic across calls (reused scratch buffers leave no state behind)', () => {
    const a = colourNoise(333, 222, 3);
    const first = pdqFromPixels(a);
    pdqFromPixels(waves(1000, 40));
    pdqFromPixels(waves(9, 9));
    assert.deepEqual(pdqFromPixels(a), first);
  });

  describe('when a side is under 5 pixels', () => {
    for (const [w, h] of [[4, 100], [100, 4], [0, 0], [1, 1]] as const) {
      it(`hashes ${w}×${h} to 64 zeros with quality 0, and its dihedral hashes too`, () => {
        const p: Pixels = { width: w, height: h, channels: 1, data: new Uint8Array(w * h).fill(100) };
        assert.deepEqual(pdqFromPixels(p), { hash: ZERO, quality: 0 });
        const d = pdqDihedralFromPixels(p);
        assert.equal(d.quality, 0);
        for (const name of DIHEDRAL_NAMES) assert.equal(d.hashes[name], ZERO);
      });
    }
    it('hashes 5×5 (the smallest hashable size) to a real hash', () => {
      assert.equal(bitCount(pdqFromPixels(waves(5, 5)).hash), 128);
    });
  });

  describe('on flat images', () => {
    it('gives quality 0 to a flat grey image', () => {
      assert.equal(pdqFromPixels({ width: 100, height: 80, channels: 1, data: new Uint8Array(8000).fill(90) }).quality, 0);
    });
    it('hashes an all-black image to zeros (every coefficient equals the median)', () => {
      assert.deepEqual(pdqFromPixels({ width: 300, height: 200, channels: 3, data: new Uint8Array(180_000) }), { hash: ZERO, quality: 0 });
    });
  });

  it('treats an RGB image whose pixels are all grey as the grey image (as ImageMagick hands it to the reference)', () => {
    const grey = waves(150, 120);
    const rgb = new Uint8Array(grey.data.length * 3);
    grey.data.forEach((v, i) => rgb.set([v, v, v], i * 3));
    assert.equal(pdqFromPixels({ ...grey, channels: 3, data: rgb }).hash, pdqFromPixels(grey).hash);
  });

  it('ignores alpha: RGBA hashes as its RGB, grey+alpha as its grey', () => {
    const rgba = colourNoise(240, 180, 4);
    const rgb = new Uint8Array(240 * 180 * 3);
    for (let i = 0; i < 240 * 180; i++) rgb.set(rgba.data.subarray(i * 4, i * 4 + 3), i * 3);
    assert.deepEqual(pdqFromPixels(rgba), pdqFromPixels({ ...rgba, channels: 3, data: rgb }));
    const grey = waves(240, 180);
    const greyAlpha = new Uint8Array(grey.data.length * 2);
    grey.data.forEach((v, i) => greyAlpha.set([v, (i * 37) % 256], i * 2));
    assert.deepEqual(pdqFromPixels({ ...grey, channels: 2, data: greyAlpha }), pdqFromPixels(grey));
  });

  it('accepts a Uint8ClampedArray (canvas ImageData) like a Uint8Array', () => {
    const p = colourNoise(120, 90, 4);
    assert.deepEqual(pdqFromPixels({ ...p, data: new Uint8ClampedArray(p.data) }), pdqFromPixels(p));
  });

  describe('when the pixel buffer is inconsistent', () => {
    it('refuses a data length that is not width × height × channels', () => refusesPixels({ width: 10, height: 10, channels: 3, data: new Uint8Array(299) }));
    it('refuses 5 channels', () => refusesPixels({ width: 10, height: 10, channels: 5, data: new Uint8Array(500) }));
    it('refuses a fractional or negative size', () => {
      refusesPixels({ width: 2.5, height: 2, channels: 1, data: new Uint8Array(5) });
      refusesPixels({ width: -1, height: -1, channels: 1, data: new Uint8Array(1) });
    });
    it('refuses samples that are not 8-bit', () => refusesPixels({ width: 2, height: 2, channels: 1, data: new Uint16Array(4) as unknown as Uint8Array }));
  });
});

describe('hex layout', () => {
  // B[u][v] at index 16u+v; bit k = 16u+v is set when B[u][v] is above the lower median.
  const withBits = (isSet: (k: number) => boolean): Float32Array => Float32Array.from({ length: 256 }, (_, k) => (isSet(k) ? 1 + k : -1 - k));

  it('prints word 15 (the highest frequencies) first, bit v of word u at value 2^v', () => {
    // 128 set bits: k = 252..255 (top nibble of word 15) and k = 0..123.
    const hex = bitsToHex(withBits((k) => k >= 252 || k < 124));
    assert.equal(hex, 'f000' + '0000'.repeat(7) + '0fff' + 'ffff'.repeat(7));
  });

  it('puts B[0][0] in the lowest bit of the last hex digit', () => {
    assert.equal(bitsToHex(withBits((k) => k % 2 === 0)), '5555'.repeat(16));
    assert.equal(bitsToHex(withBits((k) => k % 4 < 2)), '3333'.repeat(16));
  });

  it('uses the strict comparison with the lower median (element 127 of 256)', () => {
    // Values 0..255: the lower median is 127, so exactly the bits of values 128..255 are set.
    assert.equal(bitsToHex(Float32Array.from({ length: 256 }, (_, k) => k)), 'ffff'.repeat(8) + '0000'.repeat(8));
  });
});

describe('pdqDihedralFromPixels', () => {
  it('gives the plain hash as orig, and the plain quality', () => {
    for (const p of [waves(64, 64, 3), waves(300, 200), colourNoise(257, 129, 3)]) {
      const d = pdqDihedralFromPixels(p);
      const plain = pdqFromPixels(p);
      assert.equal(d.hashes.orig, plain.hash);
      assert.equal(d.quality, plain.quality);
    }
  });

  describe('at 64×64, where no blur or sampling asymmetry intervenes', () => {
    const original = waves(64, 64, 3);
    const derived = pdqDihedralFromPixels(original).hashes;
    for (const name of Object.keys(TRANSFORMS) as Array<Exclude<DihedralName, 'orig'>>) {
      it(`${name} equals the hash of the ${name}-transformed image`, () => {
        assert.equal(derived[name], pdqFromPixels(transform(original, name)).hash);
      });
    }
  });

  it('stays close to the hashes of really transformed larger images (within 16 bits, far below ~128 for a wrong direction)', () => {
    const original = waves(640, 480, 2);
    const derived = pdqDihedralFromPixels(original).hashes;
    for (const name of Object.keys(TRANSFORMS) as Array<Exclude<DihedralName, 'orig'>>) {
      const distance = pdqDistance(derived[name], pdqFromPixels(transform(original, name)).hash);
      assert.ok(distance <= 16, `${name}: ${distance} bits`);
    }
  });

  it('gives eight distinct hashes for an asymmetric image', () => {
    assert.equal(new Set(Object.values(pdqDihedralFromPixels(waves(320, 240, 5)).hashes)).size, 8);
  });
});

describe('pdqDihedralFromHash (the hub knows the hash only)', () => {
  /** Textured grey images (waves, an edge, noise), as photos are; pixel-derived variants are the reference. */
  const textured = (seed: number): Pixels => {
    const [w, h] = [120 + seed * 7, 300 - seed * 3];
    const data = new Uint8Array(w * h);
    let s = seed;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const v = 128 + 60 * Math.sin((x * seed) / 9 + y / (7 + seed)) + 40 * Math.cos((y * (seed + 1)) / 13 - x / 23) + ((s >>> 16) % 30) + (x > w / 3 && y < h / 2 ? 40 : 0);
        data[y * w + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return { width: w, height: h, channels: 1, data };
  };
  const images = Array.from({ length: 12 }, (_, i) => textured(i + 1));

  it('gives the hash itself as orig, and is exact for the transposes that flip no sign (flipp)', () => {
    for (const p of images) {
      const { hashes } = pdqDihedralFromPixels(p);
      const fromHash = pdqDihedralFromHash(hashes.orig);
      assert.equal(fromHash.orig, hashes.orig);
      assert.equal(fromHash.flipp, hashes.flipp);
    }
  });

  // Mirrors are estimated from signs alone (the magnitudes are gone): on textured images the error
  // is 8 bits at the median, 16 at p90, 28 at worst (docs/benchmarks.md); smooth synthetic images
  // with few strong coefficients fare worse (26 median). 32 bounds it here.
  it('lands each variant near the hash of the turned image, where the plain hash is far from it', () => {
    for (const p of images) {
      const { hashes } = pdqDihedralFromPixels(p);
      const fromHash = pdqDihedralFromHash(hashes.orig);
      for (const name of DIHEDRAL_NAMES) {
        const truth = hashes[name];
        const turned = pdqDistance(fromHash[name], truth);
        assert.ok(turned <= 32, `${name}: ${turned} bits from the turned image's hash`);
        if (name !== 'orig' && name !== 'flipp') assert.ok(pdqDistance(hashes.orig, truth) > 64, `${name}: the plain hash alone would miss it`);
      }
    }
  });
});
