/**
 * Float32 luma rows as the PDQ reference computes them (pdqhashing.cpp fillFloatLumaFrom*).
 * Not part of the module's public surface.
 */

const f = Math.fround;

/** Interleaved 8-bit samples plus how to read them. */
export interface LumaSource {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly cols: number;
  /** Samples per pixel; only the first (grey) or first three (RGB) are read, alpha never. */
  readonly channels: number;
  /** Use the first sample as is: one-channel images, and RGB images whose pixels are all grey. */
  readonly grey: boolean;
}

/** fround(fround(coefficient) · v) for every 8-bit v: a float constant times the promoted sample. */
const lumaTable = (coefficient: number): Float64Array => Float64Array.from({ length: 256 }, (_, v) => f(f(coefficient) * v));
const LUMA_B = lumaTable(0.114);
/** fround(fround(0.299·r) + fround(0.587·g)) at 256·r + g (512 KiB): one lookup for the first sum. */
const LUMA_RG = (() => {
  const [red, green] = [lumaTable(0.299), lumaTable(0.587)];
  const table = new Float64Array(256 * 256);
  for (let r = 0; r < 256; r++) for (let g = 0; g < 256; g++) table[r * 256 + g] = f(red[r]! + green[g]!);
  return table;
})();

/**
 * Decides grey or RGB. ImageMagick, which decodes for the reference, writes a greyscale PNM when
 * every pixel is grey, and the reference then uses the grey value directly. That matters: the
 * luma formula is not the identity on grey (15,15,15 gives 15.000001 in float32).
 */
export function lumaSource(data: Uint8Array | Uint8ClampedArray, cols: number, channels: number): LumaSource {
  return { data, cols, channels, grey: channels < 3 || isAllGrey(data, channels) };
}

function isAllGrey(data: Uint8Array | Uint8ClampedArray, channels: number): boolean {
  for (let p = 0; p < data.length; p += channels) {
    if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
  }
  return true;
}

/**
 * Writes row `row` of the luma (float32 values) to dst from offset o.
 * Plain module functions on purpose: V8 reuses their optimised code on every call, while a
 * closure created per image was measured three times slower.
 */
export function fillLumaRow(src: LumaSource, row: number, dst: Float64Array, o: number): void {
  const start = row * src.cols * src.channels;
  if (src.grey) fillGreyRow(src.data, start, src.channels, src.cols, dst, o);
  else fillRgbRow(src.data, start, src.channels, src.cols, dst, o);
}

function fillGreyRow(data: Uint8Array | Uint8ClampedArray, p: number, step: number, cols: number, dst: Float64Array, o: number): void {
  let j = 0;
  for (; j + 3 < cols; j += 4, p += 4 * step) {
    dst[o + j] = data[p]!;
    dst[o + j + 1] = data[p + step]!;
    dst[o + j + 2] = data[p + 2 * step]!;
    dst[o + j + 3] = data[p + 3 * step]!;
  }
  for (; j < cols; j++, p += step) dst[o + j] = data[p]!;
}

/** Y = (0.299·R + 0.587·G) + 0.114·B, each product and sum rounded to float32. */
function fillRgbRow(data: Uint8Array | Uint8ClampedArray, p: number, step: number, cols: number, dst: Float64Array, o: number): void {
  let j = 0;
  // Unrolled by four, like the column filter: fewer repeated bounds and detached-buffer checks.
  for (; j + 3 < cols; j += 4, p += 4 * step) {
    const q = p + step, r = q + step, t = r + step;
    dst[o + j] = f(LUMA_RG[(data[p]! << 8) | data[p + 1]!]! + LUMA_B[data[p + 2]!]!);
    dst[o + j + 1] = f(LUMA_RG[(data[q]! << 8) | data[q + 1]!]! + LUMA_B[data[q + 2]!]!);
    dst[o + j + 2] = f(LUMA_RG[(data[r]! << 8) | data[r + 1]!]! + LUMA_B[data[r + 2]!]!);
    dst[o + j + 3] = f(LUMA_RG[(data[t]! << 8) | data[t + 1]!]! + LUMA_B[data[t + 2]!]!);
  }
  for (; j < cols; j++, p += step) dst[o + j] = f(LUMA_RG[(data[p]! << 8) | data[p + 1]!]! + LUMA_B[data[p + 2]!]!);
}
