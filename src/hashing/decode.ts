import type { Metadata, SharpConstructor } from 'sharp';
import type { Budget } from '../kernel/index.js';
import { MAX_WIDTH } from './downsampler.js';
import { HashingError } from './errors.js';
import type { Pixels } from './pdq.js';

/**
 * Pixels one decode may produce unless told otherwise: 40 million (a 7,700×5,200 photograph;
 * phones and most cameras stay below). A decode holds about 6 bytes per pixel at its peak
 * (the samples, then PDQ's luma), so 40 MP is some 250 MB.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** What the node's documented decode memory allows each pixel of NODE_MAX_IMAGE_PIXELS, per decode at once. */
export const BYTES_PER_BUDGETED_PIXEL = 6;

/** Raster formats decoded; vector and document formats (SVG, PDF) cost what their content says, not their header. */
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export interface DecodeLimits {
  /** Largest width × height (of the first frame) decoded; anything larger is IMAGE_TOO_LARGE, from its header. */
  readonly maxPixels?: number;
  /**
   * Bytes shared by the decodes of a process: each waits until its decodeBytes fit beside the
   * others'; one that could never fit is IMAGE_TOO_LARGE, from its header.
   */
  readonly memory?: Budget;
}

/** What a header tells of the decode's cost. */
export interface DecodeShape {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** libvips' sample format: uchar, ushort, float… */
  readonly depth: string;
}

const SAMPLE_BYTES: Readonly<Record<string, number>> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, complex: 8, double: 8, dpcomplex: 16 };

/**
 * Bytes a decode holds at its peak: the samples as decoded (a 16-bit RGBA PNG holds 8 bytes a
 * pixel, not the 3 of an 8-bit photograph) plus the 8-bit RGB copy handed to PDQ. Counting by
 * pixels alone let six 40-megapixel 16-bit PNGs past the documented bound.
 */
export function decodeBytes(shape: DecodeShape): number {
  const sample = SAMPLE_BYTES[shape.depth] ?? 8;
  return shape.width * shape.height * (shape.channels * sample + 3);
}

/**
 * Decodes an image the way the PDQ reference sees it, except for orientation:
 * - 8-bit samples as stored: `ignoreIcc` skips colour management (the reference's ImageMagick
 *   decode applies no ICC profile; with conversion, a Display-P3 PNG moves 2 bits);
 * - EXIF orientation applied (`rotate()`): we hash what a person sees, as our vectors do;
 * - alpha dropped, not composited: the colour stored under transparent pixels is hashed;
 * - 16-bit samples reduced to 8 bits by scaling (sharp's default), not the reference's wrap;
 * - first frame of an animation (sharp's default);
 * - `failOn: 'error'`: damage that libvips only warns about (e.g. a truncated JPEG) still
 *   decodes, as ImageMagick does for the reference.
 * sharp 0.35 returns grey images as three equal channels; the PDQ core then uses the grey value.
 *
 * The header is read first and checked against the pixel budget, so a decompression bomb (a
 * 31 KB PNG declaring 16000×16000) costs a header read, not gigabytes; libvips' own
 * `limitInputPixels` enforces the same budget during the decode.
 */
export async function decodeImage(input: Uint8Array | string, limits: DecodeLimits = {}): Promise<Pixels> {
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  const sharp = await loadSharp();
  const shape = await assertWithinBudget(sharp, input, maxPixels);
  const bytes = decodeBytes(shape);
  const memory = limits.memory;
  if (memory === undefined) return decodePixels(sharp, input, maxPixels);
  if (!memory.fits(bytes)) {
    const mb = (n: number): string => `${Math.ceil(n / 1e6)} MB`;
    throw new HashingError('IMAGE_TOO_LARGE', `the image is ${shape.width}×${shape.height} pixels of ${shape.channels}×${shape.depth} samples, ${mb(bytes)} to decode, over the decode memory of ${mb(memory.capacity)}`, {
      details: { width: shape.width, height: shape.height, bytes, limit: memory.capacity },
    });
  }
  return memory.run(bytes, () => decodePixels(sharp, input, maxPixels));
}

async function decodePixels(sharp: SharpConstructor, input: Uint8Array | string, maxPixels: number): Promise<Pixels> {
  try {
    const { data, info } = await sharp(input, { ignoreIcc: true, failOn: 'error', limitInputPixels: maxPixels })
      .rotate()
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data };
  } catch (cause) {
    throw unreadable(cause);
  }
}

/** Loaded on the first decode: the hub uses this module for Hamming distances only, and the console's browser bundle never, so neither loads libvips. */
async function loadSharp(): Promise<SharpConstructor> {
  return (await import('sharp')).default;
}

async function assertWithinBudget(sharp: SharpConstructor, input: Uint8Array | string, maxPixels: number): Promise<DecodeShape> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (cause) {
    throw unreadable(cause);
  }
  if (meta.format === undefined || !FORMATS.has(meta.format)) {
    throw new HashingError('IMAGE_UNREADABLE', `the image is ${meta.format ?? 'of an unknown format'}: send JPEG, PNG, WebP, GIF, TIFF or HEIF/AVIF`, { details: { format: meta.format ?? null } });
  }
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  if (width > MAX_WIDTH || width * height > maxPixels) {
    const why = width > MAX_WIDTH ? `wider than ${MAX_WIDTH} pixels` : `over the budget of ${maxPixels} pixels`;
    throw new HashingError('IMAGE_TOO_LARGE', `the image is ${width}×${height} pixels, ${why}`, { details: { width, height, limit: maxPixels } });
  }
  return { width, height, channels: meta.channels, depth: meta.depth ?? 'uchar' };
}

function unreadable(cause: unknown): HashingError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HashingError('IMAGE_UNREADABLE', `the image cannot be decoded: ${reason}`, { cause });
}
