/**
 * Meta's PDQ perceptual image hash, at full resolution, in TypeScript.
 *
 * Hand-written because no npm package implements PDQ: upstream offers C++, Java and Python (the
 * PyPI binding `pdqhash` wraps the C++), nothing for Node. It follows the C++ reference,
 * facebook/ThreatExchange pdq/cpp (hashing/pdqhashing.cpp, downscaling/downscaling.cpp), as
 * described step by step in shared/docs/pdq.md, and gives the same bits from the same decoded
 * pixels by doing the reference's float32 arithmetic operation by operation:
 * - the full-resolution part (luma, the Jarosz box filters, decimation to 64×64), which is
 *   nearly all the work, in WebAssembly compiled from AssemblyScript (assembly/downsample.ts),
 *   where float32 is native; the JavaScript it replaced had to round every operation with
 *   Math.fround and was three times slower (89 against 271 images/s on decoded 1-megapixel
 *   images, one machine, one day);
 * - the rest here (quality, DCT, median, dihedral variants), with Math.fround after every
 *   operation and Float32Array buffers.
 * Like the library entry point, the Java port and the `pdqhash` binding (and unlike the CLI), it
 * hashes the full-resolution image with no 512×512 pre-shrink.
 *
 * Pure: no I/O and no clock. Scratch buffers (and the WebAssembly instance) are module-level and
 * reused: the functions are synchronous and not re-entrant, so one set per isolate (per worker)
 * is enough.
 */
import { HashingError } from './errors.js';
import { downsample64 } from './downsampler.js';
import { isGreyImage, lumaInto } from './luma.js';

export interface Pixels {
  readonly width: number;
  readonly height: number;
  /**
   * Samples per pixel, interleaved, row-major, 8 bits each: 1 grey, 2 grey+alpha, 3 RGB,
   * 4 RGBA. Alpha is ignored (the stored colour is hashed, as the reference does).
   */
  readonly channels: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

export interface PdqResult {
  /** 64 lowercase hex characters (256 bits), word 15 first as the reference prints it. */
  readonly hash: string;
  /** 0–100; under 50 the hash is weak. */
  readonly quality: number;
}

/** The reference CLI's order (`--pdqdih-across`). */
export const DIHEDRAL_NAMES = ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipp', 'flipm'] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

export interface PdqDihedralResult {
  readonly hashes: Readonly<Record<DihedralName, string>>;
  readonly quality: number;
}

const f = Math.fround;
const ZERO_HASH = '0'.repeat(64);
const MIN_SIDE = 5;

/** D[k][j] = float32(float32(√(2/64)) · cos(π/2/64 · (k+1) · (2j+1))), frequencies 1..16 by 64 samples. */
const DCT = (() => {
  const scale = f(Math.sqrt(2 / 64));
  const d = new Float32Array(16 * 64);
  for (let k = 0; k < 16; k++) for (let j = 0; j < 64; j++) d[k * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (k + 1) * (2 * j + 1));
  return d;
})();

const A64 = new Float32Array(64 * 64);
const T16x64 = new Float32Array(16 * 64);
const B16 = new Float32Array(256);
const B16_AUX = new Float32Array(256);
const SORTED = new Float32Array(256);

/** PDQ hash and quality of decoded pixels. */
export function pdqFromPixels(pixels: Pixels): PdqResult {
  checkPixels(pixels);
  if (pixels.width < MIN_SIDE || pixels.height < MIN_SIDE) return { hash: ZERO_HASH, quality: 0 };
  // The reference's single-hash path copies a 64×64 input as is; its dihedral path always blurs.
  downsample(pixels, A64, false);
  const quality = qualityOf(A64);
  dct16(A64, B16);
  return { hash: bitsToHex(B16), quality };
}

/** The eight dihedral hashes (orig, rotations, flips) of decoded pixels, from one DCT. */
export function pdqDihedralFromPixels(pixels: Pixels): PdqDihedralResult {
  checkPixels(pixels);
  if (pixels.width < MIN_SIDE || pixels.height < MIN_SIDE) {
    return { hashes: Object.fromEntries(DIHEDRAL_NAMES.map((n) => [n, ZERO_HASH])) as Record<DihedralName, string>, quality: 0 };
  }
  downsample(pixels, A64, true);
  const quality = qualityOf(A64);
  dct16(A64, B16);
  const hashes = Object.fromEntries(DIHEDRAL_NAMES.map((name) => [name, bitsToHex(dihedral(B16, name, B16_AUX))]));
  return { hashes: hashes as Record<DihedralName, string>, quality };
}

/**
 * The eight dihedral variants of a PDQ hash when only the hash is known (the hub's matchImage):
 * each bit taken as the sign of its DCT coefficient, then mirrored and transposed by the same
 * table as pdqDihedralFromPixels. Transposes are exact; a sign flip is exact up to coefficients
 * near the median, so a variant lies within a few bits of the hash of the turned image.
 */
export function pdqDihedralFromHash(hex: string): Readonly<Record<DihedralName, string>> {
  const signs = new Float32Array(256);
  for (let u = 0; u < 16; u++) {
    const word = Number.parseInt(hex.slice((15 - u) * 4, (16 - u) * 4), 16);
    for (let v = 0; v < 16; v++) signs[u * 16 + v] = (word >> v) & 1 ? 1 : -1;
  }
  const out = new Float32Array(256);
  return Object.fromEntries(DIHEDRAL_NAMES.map((name) => [name, packBits(dihedral(signs, name, out), 0)])) as Record<DihedralName, string>;
}

function checkPixels({ width, height, channels, data }: Pixels): void {
  const refuse = (reason: string): never => {
    throw new HashingError('INVALID_PIXELS', `invalid pixels: ${reason}`, { details: { width, height, channels, reason } });
  };
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 0 || height < 0) refuse('width and height must be non-negative integers');
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) refuse('channels must be 1, 2, 3 or 4');
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) refuse('data must hold 8-bit samples');
  if (data.length !== width * height * channels) refuse(`data has ${data.length} samples, expected width × height × channels`);
}

function downsample(pixels: Pixels, out: Float32Array, alwaysBlur: boolean): void {
  const { width: cols, height: rows, channels, data } = pixels;
  const grey = isGreyImage(data, channels);
  if (rows === 64 && cols === 64 && !alwaysBlur) lumaInto(data, channels, grey, out);
  else downsample64({ data, rows, cols, channels, grey }, out);
}

/** Sum over neighbour pairs of |trunc((u − v)·100/255)|, in float32, /90, capped at 100. */
function qualityOf(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) sum += Math.abs(Math.trunc(f(f(f(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255)));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) sum += Math.abs(Math.trunc(f(f(f(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255)));
  }
  return Math.min(100, Math.floor(sum / 90));
}

/** B = D·A·Dᵀ (16×16), each dot product accumulated in float32 in the reference's order. */
function dct16(a: Float32Array, b: Float32Array): void {
  const t = T16x64;
  for (let k = 0; k < 16; k++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum = f(sum + f(DCT[k * 64 + i]! * a[i * 64 + j]!));
      t[k * 64 + j] = sum;
    }
  }
  for (let u = 0; u < 16; u++) {
    for (let v = 0; v < 16; v++) {
      let sum = 0;
      for (let j = 0; j < 64; j++) sum = f(sum + f(t[u * 64 + j]! * DCT[v * 64 + j]!));
      b[u * 16 + v] = sum;
    }
  }
}

/**
 * Bit 16u+v is set when B[u][v] is strictly above the lower median (element 127 of 256 sorted,
 * what the reference's Torben selection returns). Word u holds row u, bit v; the hex is word 15
 * first, 4 digits per word, i.e. the big-endian 256-bit integer Σ bit_k·2^k.
 * Exported for the module's tests only (index.ts does not re-export it).
 */
export function bitsToHex(b: Float32Array): string {
  SORTED.set(b);
  return packBits(b, SORTED.sort()[127]!);
}

/** Bit 16u+v set when B[u][v] > threshold, packed as bitsToHex describes. */
function packBits(b: Float32Array, median: number): string {
  let hex = '';
  for (let u = 15; u >= 0; u--) {
    let word = 0;
    for (let v = 0; v < 16; v++) if (b[u * 16 + v]! > median) word |= 1 << v;
    hex += word.toString(16).padStart(4, '0');
  }
  return hex;
}

/**
 * Mirroring flips the sign of odd-frequency basis functions (even indices, as index k is
 * frequency k+1); a quarter turn also transposes. From pdqhashing.cpp's dct16OriginalTo*.
 */
const DIHEDRAL: Readonly<Record<DihedralName, { transpose: boolean; negate: (u: number, v: number) => boolean }>> = {
  orig: { transpose: false, negate: () => false },
  rot90: { transpose: true, negate: (_u, v) => v % 2 === 0 },
  rot180: { transpose: false, negate: (u, v) => (u + v) % 2 === 1 },
  rot270: { transpose: true, negate: (u) => u % 2 === 0 },
  flipx: { transpose: false, negate: (u) => u % 2 === 0 },
  flipy: { transpose: false, negate: (_u, v) => v % 2 === 0 },
  flipp: { transpose: true, negate: () => false },
  flipm: { transpose: true, negate: (u, v) => (u + v) % 2 === 1 },
};

function dihedral(b: Float32Array, name: DihedralName, out: Float32Array): Float32Array {
  const { transpose, negate } = DIHEDRAL[name];
  for (let u = 0; u < 16; u++) {
    for (let v = 0; v < 16; v++) {
      const x = b[u * 16 + v]!;
      out[transpose ? v * 16 + u : u * 16 + v] = negate(u, v) ? -x : x;
    }
  }
  return out;
}
