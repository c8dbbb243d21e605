/**
 * Meta's PDQ perceptual image hash, at full resolution, in TypeScript.
 *
 * Written here because no maintained npm package implements PDQ. It follows the C++ reference
 * (facebook/ThreatExchange pdq/cpp, as described step by step in shared/docs/pdq.md) and emulates
 * its float32 arithmetic operation by operation (Math.fround, Float32Array), so that given the
 * same decoded pixels it produces the same bits as the reference. Pure: no I/O, no clock.
 */

export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored); 8-bit samples, row-major, interleaved. */
  readonly channels: number;
  readonly data: Uint8Array;
}

export interface PdqResult {
  /** 64 lowercase hex characters (256 bits). */
  readonly hash: string;
  /** 0–100; under 50 the hash is weak. */
  readonly quality: number;
}

export const DIHEDRAL_NAMES = ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipp', 'flipm'] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

export interface PdqDihedralResult {
  readonly hashes: Readonly<Record<DihedralName, string>>;
  readonly quality: number;
}

const f = Math.fround;
const ZERO_HASH = '0'.repeat(64);
const MIN_SIDE = 5;
const LUMA_R = f(0.299);
const LUMA_G = f(0.587);
const LUMA_B = f(0.114);

/** D[k][j] for frequencies 1..16 over 64 samples, computed in double and stored as float32. */
const DCT = (() => {
  const scale = f(Math.sqrt(2 / 64));
  const d = new Float32Array(16 * 64);
  for (let k = 0; k < 16; k++) for (let j = 0; j < 64; j++) d[k * 64 + j] = scale * Math.cos(((Math.PI / 2) / 64) * (k + 1) * (2 * j + 1));
  return d;
})();

export function pdqFromPixels(pixels: Pixels): PdqResult {
  const core = pdqCore(pixels);
  return core === undefined ? { hash: ZERO_HASH, quality: 0 } : { hash: hashOf(core.dct), quality: core.quality };
}

export function pdqDihedralFromPixels(pixels: Pixels): PdqDihedralResult {
  const core = pdqCore(pixels);
  if (core === undefined) return { hashes: Object.fromEntries(DIHEDRAL_NAMES.map((n) => [n, ZERO_HASH])) as Record<DihedralName, string>, quality: 0 };
  const hashes = Object.fromEntries(DIHEDRAL_NAMES.map((name) => [name, hashOf(dihedral(core.dct, name))])) as Record<DihedralName, string>;
  return { hashes, quality: core.quality };
}

function pdqCore(pixels: Pixels): { dct: Float32Array; quality: number } | undefined {
  const { width: cols, height: rows } = pixels;
  if (rows < MIN_SIDE || cols < MIN_SIDE) return undefined;
  const luma = toLuma(pixels);
  const a = rows === 64 && cols === 64 ? luma : downsample(luma, rows, cols);
  return { dct: dct16(a), quality: quality(a) };
}

/** Y = ((0.299·R + 0.587·G) + 0.114·B) in float32; a grey image (every pixel R=G=B, or one channel) uses its value. */
function toLuma(pixels: Pixels): Float32Array {
  const { data, channels } = pixels;
  const n = pixels.width * pixels.height;
  const out = new Float32Array(n);
  if (channels === 1 || channels === 2 || isGrey(pixels)) {
    for (let i = 0; i < n; i++) out[i] = data[i * channels]!;
    return out;
  }
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    out[i] = f(f(f(LUMA_R * data[p]!) + f(LUMA_G * data[p + 1]!)) + f(LUMA_B * data[p + 2]!));
  }
  return out;
}

/** ImageMagick writes a greyscale PNM when every pixel is grey; the reference then uses the grey value directly. */
function isGrey({ data, channels, width, height }: Pixels): boolean {
  for (let p = 0, end = width * height * channels; p < end; p += channels) {
    if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
  }
  return true;
}

/**
 * Two Jarosz passes (box filter along rows, then columns), then decimation to 64×64.
 * Same arithmetic as the reference, reorganised for speed: the first column pass runs every
 * column at once, row by row (contiguous memory); the second column pass runs only the 64
 * columns that decimation samples, since no other output of it is ever read.
 */
function downsample(luma: Float32Array, rows: number, cols: number): Float32Array {
  const wx = Math.floor((cols + 127) / 128);
  const wy = Math.floor((rows + 127) / 128);
  const scratch = new Float32Array(luma.length);
  for (let r = 0; r < rows; r++) box1d(luma, scratch, r * cols, 1, cols, wx);
  boxColumns(scratch, luma, rows, cols, wy);
  for (let r = 0; r < rows; r++) box1d(luma, scratch, r * cols, 1, cols, wx);
  const sampledCols = Array.from({ length: 64 }, (_, j) => Math.floor(((j + 0.5) * cols) / 64));
  for (const c of new Set(sampledCols)) box1d(scratch, luma, c, cols, rows, wy);
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ri = Math.floor(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) out[i * 64 + j] = luma[ri * cols + sampledCols[j]!]!;
  }
  return out;
}

/** box1d down every column at once: per-column running sums, visited row by row. */
function boxColumns(input: Float32Array, output: Float32Array, rows: number, cols: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const sum = new Float32Array(cols);
  let count = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  const add = (row: number): void => {
    const base = row * cols;
    for (let c = 0; c < cols; c++) sum[c] = sum[c]! + input[base + c]!;
  };
  const sub = (row: number): void => {
    const base = row * cols;
    for (let c = 0; c < cols; c++) sum[c] = sum[c]! - input[base + c]!;
  };
  const emit = (): void => {
    const base = oi++ * cols;
    for (let c = 0; c < cols; c++) output[base + c] = sum[c]! / count;
  };
  for (let i = 0; i < half - 1; i++) add(ri++), count++;
  for (let i = 0; i < window - half + 1; i++) add(ri++), count++, emit();
  for (let i = 0; i < rows - window; i++) add(ri++), sub(li++), emit();
  for (let i = 0; i < half - 1; i++) sub(li++), count--, emit();
}

/** The reference's running-sum box filter, in float32, with shortened (not padded) edge windows. */
function box1d(input: Float32Array, output: Float32Array, start: number, stride: number, length: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  let sum = 0;
  let count = 0;
  let ri = start;
  let li = start;
  let oi = start;
  for (let i = 0; i < half - 1; i++, ri += stride) {
    sum = f(sum + input[ri]!);
    count++;
  }
  for (let i = 0; i < window - half + 1; i++, ri += stride, oi += stride) {
    sum = f(sum + input[ri]!);
    count++;
    output[oi] = sum / count;
  }
  for (let i = 0; i < length - window; i++, ri += stride, li += stride, oi += stride) {
    sum = f(sum + input[ri]!);
    sum = f(sum - input[li]!);
    output[oi] = sum / count;
  }
  for (let i = 0; i < half - 1; i++, li += stride, oi += stride) {
    sum = f(sum - input[li]!);
    count--;
    output[oi] = sum / count;
  }
}

/** Sum of truncated scaled gradients between neighbours, /90, capped at 100. */
function quality(a: Float32Array): number {
  let sum = 0;
  const add = (u: number, v: number): void => {
    sum += Math.abs(Math.trunc(f(f(f(u - v) * 100) / 255)));
  };
  for (let i = 0; i < 63; i++) for (let j = 0; j < 64; j++) add(a[i * 64 + j]!, a[(i + 1) * 64 + j]!);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 63; j++) add(a[i * 64 + j]!, a[i * 64 + j + 1]!);
  return Math.min(100, Math.floor(sum / 90));
}

/** B = D · A · Dᵀ (16×16), accumulated in float32 in the reference's order. */
function dct16(a: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64);
  for (let k = 0; k < 16; k++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum = f(sum + f(DCT[k * 64 + i]! * a[i * 64 + j]!));
      t[k * 64 + j] = sum;
    }
  }
  const b = new Float32Array(256);
  for (let u = 0; u < 16; u++) {
    for (let v = 0; v < 16; v++) {
      let sum = 0;
      for (let j = 0; j < 64; j++) sum = f(sum + f(t[u * 64 + j]! * DCT[v * 64 + j]!));
      b[u * 16 + v] = sum;
    }
  }
  return b;
}

/** Bit 16u+v is set when B[u][v] is above the lower median; hex is word 15 first. */
function hashOf(b: Float32Array): string {
  const median = Float32Array.from(b).sort()[127]!;
  let hex = '';
  for (let u = 15; u >= 0; u--) {
    let word = 0;
    for (let v = 0; v < 16; v++) if (b[u * 16 + v]! > median) word |= 1 << v;
    hex += word.toString(16).padStart(4, '0');
  }
  return hex;
}

/** The transformed image's DCT, from signs and a transpose (shared/docs/pdq.md §8). */
function dihedral(b: Float32Array, name: DihedralName): Float32Array {
  const out = new Float32Array(256);
  for (let u = 0; u < 16; u++) {
    for (let v = 0; v < 16; v++) {
      const x = b[u * 16 + v]!;
      const odd = (n: number): boolean => n % 2 === 1;
      switch (name) {
        case 'orig': out[u * 16 + v] = x; break;
        case 'rot90': out[v * 16 + u] = odd(v) ? x : -x; break;
        case 'rot180': out[u * 16 + v] = odd(u + v) ? -x : x; break;
        case 'rot270': out[v * 16 + u] = odd(u) ? x : -x; break;
        case 'flipx': out[u * 16 + v] = odd(u) ? x : -x; break;
        case 'flipy': out[u * 16 + v] = odd(v) ? x : -x; break;
        case 'flipp': out[v * 16 + u] = x; break;
        case 'flipm': out[v * 16 + u] = odd(u + v) ? -x : x; break;
      }
    }
  }
  return out;
}
