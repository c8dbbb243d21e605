import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createImageHasher, decodeImage, hashImage, hashImageDihedral, HashingError, pdqDistance } from './index.js';

const W = 240;
const H = 160;

/** An asymmetric RGB test picture, generated: gradients plus a bright block near the top left. */
function picture(): Buffer {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      const block = x > 20 && x < 90 && y > 15 && y < 60 ? 120 : 0;
      data[i] = Math.min(255, x + block);
      data[i + 1] = Math.min(255, (y * 3) / 2 + block);
      data[i + 2] = (x * y) % 200;
    }
  }
  return data;
}
const raw = { width: W, height: H, channels: 3 } as const;
const isUnreadable = (e: unknown): boolean => e instanceof HashingError && e.code === 'IMAGE_UNREADABLE';

describe('hashImage', () => {
  it('returns the PDQ, its quality and the SHA-256 of the bytes; a path gives the same as the bytes', async () => {
    const png = await sharp(picture(), { raw }).png().toBuffer();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'wildintel-hashing-')), 'picture.png');
    writeFileSync(file, png);
    const fromBytes = await hashImage(png);
    assert.equal(fromBytes.sha256, createHash('sha256').update(png).digest('hex'));
    assert.match(fromBytes.pdq, /^[0-9a-f]{64}$/);
    assert.ok(fromBytes.quality >= 50, `quality ${fromBytes.quality}`);
    assert.deepEqual(await hashImage(file), fromBytes);
  });

  it('hashes the EXIF-oriented picture: orientation 6 equals the picture turned 90° clockwise', async () => {
    const tagged = await sharp(picture(), { raw }).png().withMetadata({ orientation: 6 }).toBuffer();
    const turned = await sharp(picture(), { raw }).rotate(90).png().toBuffer();
    const plain = await sharp(picture(), { raw }).png().toBuffer();
    const [a, b, c] = await Promise.all([hashImage(tagged), hashImage(turned), hashImage(plain)]);
    assert.equal(a.pdq, b.pdq);
    assert.ok(pdqDistance(a.pdq, c.pdq) > 50, 'the orientation must change the hash');
  });

  it('drops alpha without compositing: the colour under transparent pixels is what is hashed', async () => {
    const rgb = picture();
    const rgba = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) {
      rgb.copy(rgba, i * 4, i * 3, i * 3 + 3);
      rgba[i * 4 + 3] = i % 3 === 0 ? 0 : 255;
    }
    const [withAlpha, without] = await Promise.all([
      hashImage(await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer()),
      hashImage(await sharp(rgb, { raw }).png().toBuffer()),
    ]);
    assert.equal(withAlpha.pdq, without.pdq);
  });

  it('reduces 16-bit samples to 8 bits by scaling (16-bit v·257 hashes as 8-bit v)', async () => {
    const eight = await sharp(picture(), { raw }).png().toBuffer();
    const sixteen = await sharp(picture(), { raw }).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(sixteen).metadata()).depth, 'ushort');
    assert.equal((await hashImage(sixteen)).pdq, (await hashImage(eight)).pdq);
  });

  it('hashes a greyscale file as its grey values', async () => {
    const grey = Buffer.alloc(W * H);
    for (let i = 0; i < grey.length; i++) grey[i] = (i % W) + Math.floor(i / W) / 2;
    const asGrey = await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(asGrey).metadata()).channels, 1);
    const rgb = Buffer.alloc(W * H * 3);
    grey.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
    assert.equal((await hashImage(asGrey)).pdq, (await hashImage(await sharp(rgb, { raw }).png().toBuffer())).pdq);
  });

  it('gives the dihedral hashes, quality and SHA-256 from hashImageDihedral', async () => {
    const png = await sharp(picture(), { raw }).png().toBuffer();
    const [plain, dihedral] = await Promise.all([hashImage(png), hashImageDihedral(png)]);
    assert.equal(dihedral.hashes.orig, plain.pdq);
    assert.equal(dihedral.quality, plain.quality);
    assert.equal(dihedral.sha256, plain.sha256);
  });

  describe('when the input is not a readable image', () => {
    it('refuses bytes that are not an image with IMAGE_UNREADABLE', async () => {
      await assert.rejects(hashImage(Buffer.from('not an image')), isUnreadable);
      await assert.rejects(decodeImage(new Uint8Array(0)), isUnreadable);
    });
    it('refuses a truncated PNG with IMAGE_UNREADABLE', async () => {
      const png = await sharp(picture(), { raw }).png().toBuffer();
      await assert.rejects(hashImage(png.subarray(0, 100)), isUnreadable);
    });
    it('refuses a missing file with IMAGE_UNREADABLE and keeps the cause', async () => {
      await assert.rejects(hashImage(path.join(tmpdir(), 'wildintel-no-such-image.jpg')), (e: unknown) => isUnreadable(e) && (e as HashingError).details?.['errno'] === 'ENOENT' && (e as Error).cause !== undefined);
    });
  });
});

describe('the pixel budget', () => {
  const tooLarge = (e: unknown): boolean => e instanceof HashingError && e.code === 'IMAGE_TOO_LARGE';
  it('refuses from the header an image declaring more pixels than the budget, and one wider than any hash takes', async () => {
    const png = await sharp(picture(), { raw }).png().toBuffer();
    await assert.rejects(hashImage(png, { maxPixels: W * H - 1 }), (e: unknown) => tooLarge(e) && (e as HashingError).details?.['width'] === W);
    assert.equal((await hashImage(png, { maxPixels: W * H })).sha256.length, 64);
    const wide = await sharp(Buffer.alloc(((1 << 20) + 1) * 5), { raw: { width: (1 << 20) + 1, height: 5, channels: 1 } }).png().toBuffer();
    await assert.rejects(decodeImage(wide, { maxPixels: 1e9 }), tooLarge);
  });
  it('refuses vector formats, whose cost their header does not tell', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>');
    await assert.rejects(hashImage(svg), isUnreadable);
  });
  it('bounds the decodes a hasher runs at once', async () => {
    const hasher = createImageHasher({ maxPixels: 1e6, concurrency: 1 });
    const png = await sharp(picture(), { raw }).png().toBuffer();
    const pending = [hasher.hash(png), hasher.hash(png), hasher.hashDihedral(png)];
    assert.deepEqual([hasher.stats().active, hasher.stats().waiting], [1, 2]);
    await Promise.all(pending);
    assert.deepEqual(hasher.stats(), { active: 0, waiting: 0, hashed: 3, decodeBytes: 0, peakDecodeBytes: 240 * 160 * 6, decodeMemory: 6e6 });
  });
});
