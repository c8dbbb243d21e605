import { HashingError } from './errors.js';
import type { Pixels } from './pdq.js';

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
 */
export async function decodeImage(input: Uint8Array | string): Promise<Pixels> {
  // Loaded on the first decode: the hub uses this module for Hamming distances only and need not load libvips.
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(input, { ignoreIcc: true, failOn: 'error' })
      .rotate()
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new HashingError('IMAGE_UNREADABLE', `the image cannot be decoded: ${reason}`, { cause });
  }
}
