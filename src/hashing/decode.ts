import type { Metadata, SharpConstructor } from 'sharp';
import { MAX_WIDTH } from './downsampler.js';
import { HashingError } from './errors.js';
import type { Pixels } from './pdq.js';

/**
 * Pixels one decode may produce unless told otherwise: 40 million (a 7,700×5,200 photograph;
 * phones and most cameras stay below). A decode holds about 6 bytes per pixel at its peak
 * (the samples, then PDQ's luma), so 40 MP is some 250 MB.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** Raster formats decoded; vector and document formats (SVG, PDF) cost what their content says, not their header. */
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export interface DecodeLimits {
  /** Largest width × height (of the first frame) decoded; anything larger is IMAGE_TOO_LARGE, from its header. */
  readonly maxPixels?: number;
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
  await assertWithinBudget(sharp, input, maxPixels);
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

async function assertWithinBudget(sharp: SharpConstructor, input: Uint8Array | string, maxPixels: number): Promise<void> {
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
}

function unreadable(cause: unknown): HashingError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HashingError('IMAGE_UNREADABLE', `the image cannot be decoded: ${reason}`, { cause });
}
