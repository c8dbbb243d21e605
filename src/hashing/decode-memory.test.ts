/**
 * The decode memory bound, with real PNGs generated here: decodes hold at most the hasher's
 * decode memory together (concurrency × 6 bytes × maxPixels unless told), counted from each
 * image's header as its samples decode (16-bit samples are two bytes), queued until they fit,
 * and an image that could never fit is refused with IMAGE_TOO_LARGE before it is decoded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { createImageHasher, decodeBytes, HashingError } from './index.js';

/** A smooth colour picture of width×height, 8- or 16-bit RGB, from a small seeded pattern scaled up (fast to encode). */
async function png(width: number, height: number, bits: 8 | 16): Promise<Buffer> {
  const small = Buffer.from(Array.from({ length: 40 * 25 * 3 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 255));
  const picture = sharp(small, { raw: { width: 40, height: 25, channels: 3 } }).resize(width, height, { kernel: 'cubic' });
  return (bits === 16 ? picture.toColourspace('rgb16') : picture).png({ compressionLevel: 1 }).toBuffer();
}

const peakRssBytes = (): number => Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;

describe('decode memory', () => {
  it('counts the bytes of the samples as decoded: 16-bit RGB 9 bytes a pixel with the 8-bit copy, 8-bit RGB 6', async () => {
    const shape = async (bytes: Buffer) => {
      const m = await sharp(bytes).metadata();
      return { width: m.width, height: m.height, channels: m.channels, depth: m.depth ?? 'uchar' };
    };
    assert.equal(decodeBytes(await shape(await png(100, 50, 16))), 100 * 50 * 9);
    assert.equal(decodeBytes(await shape(await png(100, 50, 8))), 100 * 50 * 6);
    assert.equal(decodeBytes({ width: 10, height: 10, channels: 4, depth: 'ushort' }), 10 * 10 * 11);
  });

  it('decodes six 40-megapixel 16-bit PNGs sent at once one at a time, within the documented bound', async (t) => {
    const image = await png(8000, 5000, 16);
    const hasher = createImageHasher({ maxPixels: 40_000_000, concurrency: 2 });
    const one = 8000 * 5000 * 9;
    assert.equal(hasher.stats().decodeMemory, 2 * 6 * 40_000_000, 'NODE_IMAGE_DECODES × 6 × NODE_MAX_IMAGE_PIXELS');
    const before = peakRssBytes();
    const results = await Promise.all(Array.from({ length: 6 }, () => hasher.hash(image)));
    const grown = peakRssBytes() - before;
    t.diagnostic(`peak RSS grew by ${Math.round(grown / 1e6)} MB for six 40 MP 16-bit decodes (one of them counted as ${one / 1e6} MB)`);
    assert.equal(new Set(results.map((r) => r.pdq)).size, 1, 'each hashed, the same');
    const stats = hasher.stats();
    assert.equal(stats.peakDecodeBytes, one, 'two would hold 720 MB, over 480 MB: they waited for each other');
    assert.deepEqual([stats.decodeBytes, stats.hashed, stats.active, stats.waiting], [0, 6, 0, 0]);
    assert.ok(grown <= stats.decodeMemory, `peak RSS grew by ${grown} bytes`);
  });

  it('decodes two 8-bit photographs at once when both fit', async () => {
    const image = await png(2000, 1000, 8);
    const hasher = createImageHasher({ maxPixels: 2_000_000, concurrency: 2 });
    await Promise.all([hasher.hash(image), hasher.hash(image)]);
    assert.equal(hasher.stats().peakDecodeBytes, 2 * 2000 * 1000 * 6);
  });

  it('refuses with IMAGE_TOO_LARGE, before decoding, an image under the pixel budget whose samples could never fit the decode memory', async () => {
    const hasher = createImageHasher({ maxPixels: 1_000_000, concurrency: 1 });
    const refused = await hasher.hash(await png(1000, 1000, 16)).catch((e: unknown) => e);
    assert.ok(refused instanceof HashingError && refused.code === 'IMAGE_TOO_LARGE', String(refused));
    assert.match(refused.message, /1000×1000 pixels of 3×ushort samples, 9 MB to decode, over the decode memory of 6 MB/);
    assert.deepEqual(refused.details, { width: 1000, height: 1000, bytes: 9_000_000, limit: 6_000_000 });
    assert.equal(hasher.stats().peakDecodeBytes, 0, 'nothing was decoded');
    await hasher.hash(await png(1000, 1000, 8));
    assert.equal(hasher.stats().peakDecodeBytes, 6_000_000, 'an 8-bit one of the same size fits');
  });
});
