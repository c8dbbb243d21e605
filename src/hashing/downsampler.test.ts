import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { downsample64, MAX_WIDTH } from './downsampler.js';
import { HashingError } from './errors.js';
import { lumaInto } from './luma.js';

const f = Math.fround;

/**
 * A literal transcription of the reference (downscaling.cpp): whole float32 buffers, box1DFloat
 * with a stride, true division, rows then columns twice, then decimateFloat. The streaming
 * WebAssembly filter must agree with it bit for bit.
 */
function referenceDownsample(luma: Float32Array, rows: number, cols: number): Float32Array {
  const box1d = (input: Float32Array, output: Float32Array, start: number, stride: number, length: number, window: number): void => {
    const half = Math.floor((window + 2) / 2);
    let sum = 0, count = 0, ri = start, li = start, oi = start;
    for (let i = 0; i < half - 1; i++, ri += stride) (sum = f(sum + input[ri]!)), count++;
    for (let i = 0; i < window - half + 1; i++, ri += stride, oi += stride) (sum = f(sum + input[ri]!)), count++, (output[oi] = sum / count);
    for (let i = 0; i < length - window; i++, ri += stride, li += stride, oi += stride) (sum = f(f(sum + input[ri]!) - input[li]!)), (output[oi] = sum / count);
    for (let i = 0; i < half - 1; i++, li += stride, oi += stride) (sum = f(sum - input[li]!)), count--, (output[oi] = sum / count);
  };
  const wx = Math.floor((cols + 127) / 128);
  const wy = Math.floor((rows + 127) / 128);
  const buffer1 = Float32Array.from(luma);
  const buffer2 = new Float32Array(luma.length);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < rows; r++) box1d(buffer1, buffer2, r * cols, 1, cols, wx);
    for (let c = 0; c < cols; c++) box1d(buffer2, buffer1, c, cols, rows, wy);
  }
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ini = Math.trunc(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) out[i * 64 + j] = buffer1[ini * cols + Math.trunc(((j + 0.5) * cols) / 64)]!;
  }
  return out;
}

/** Deterministic RGB noise over a gradient: non-integer luma, so every float32 rounding matters. */
function noiseRgb(rows: number, cols: number, seed: number): Uint8Array {
  const data = new Uint8Array(rows * cols * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = ((s >>> 16) % 96) + ((i / 3) % cols) / (cols / 128);
  }
  return data;
}

/** The same pixels with `channels` samples each: RGB kept, grey from red, alpha filled with noise. */
function withChannels(rgb: Uint8Array, channels: number): Uint8Array {
  const n = rgb.length / 3;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) out[i * channels + c] = channels < 3 ? (c === 0 ? rgb[3 * i]! : (i * 37) & 255) : c < 3 ? rgb[3 * i + c]! : (i * 37) & 255;
  }
  return out;
}

function check(rows: number, cols: number, channels: number): void {
  const data = withChannels(noiseRgb(rows, cols, rows * 7919 + cols), channels);
  const grey = channels < 3;
  const luma = new Float32Array(rows * cols);
  lumaInto(data, channels, grey, luma);
  const expected = referenceDownsample(luma, rows, cols);
  const got = new Float32Array(64 * 64);
  downsample64({ data, rows, cols, channels, grey }, got);
  const firstDifference = got.findIndex((v, i) => !Object.is(v, expected[i]));
  assert.equal(firstDifference, -1, `first differing sample at ${firstDifference}: ${got[firstDifference]} instead of ${expected[firstDifference]}`);
}

describe('Jarosz downsampling in WebAssembly', () => {
  // Windows 1..9 along each side, odd and even, sides at and around the 128-multiples, a prime,
  // very thin and very wide images, fewer than 64 rows or columns (repeated samples), and row
  // counts that leave partial groups of four and partial chunks of staged rows.
  const sizes: Array<[number, number]> = [
    [5, 5], [5, 300], [300, 5], [17, 64], [64, 64], [127, 128], [128, 129], [129, 257], [255, 256],
    [256, 383], [384, 385], [500, 333], [641, 97], [1031, 1000], [1152, 40], [23, 1100], [6, 3001],
  ];
  for (const [rows, cols] of sizes) {
    it(`equals the reference transcription bit for bit at ${rows}×${cols}`, () => check(rows, cols, 3));
  }
  for (const channels of [1, 2, 4]) {
    it(`reads ${channels} samples per pixel (${channels < 3 ? 'grey' : 'RGB with alpha'}) as the reference does`, () => {
      check(203, 301, channels);
      check(7, 6, channels);
    });
  }

  it('gives the same result for an image hashed again after a larger one (state is reset)', () => {
    check(1031, 1000, 3);
    check(129, 257, 3);
  });

  it('refuses an image wider than it can hold, with INVALID_PIXELS, before touching its memory', () => {
    const data = new Uint8Array((MAX_WIDTH + 1) * 5);
    assert.throws(
      () => downsample64({ data, rows: 5, cols: MAX_WIDTH + 1, channels: 1, grey: true }, new Float32Array(64 * 64)),
      (e: unknown) => e instanceof HashingError && e.code === 'INVALID_PIXELS' && e.details?.['reason'] === 'too wide',
    );
    check(129, 257, 3);
  });
});
