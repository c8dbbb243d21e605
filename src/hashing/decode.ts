import sharp from 'sharp';
import { WildintelError } from '../kernel/index.js';
import type { Pixels } from './pdq.js';

export type HashingErrorCode = 'IMAGE_UNREADABLE';
export class HashingError extends WildintelError<HashingErrorCode> {}

/**
 * Decodes an image as the PDQ reference sees it: 8-bit samples as stored, no ICC conversion,
 * alpha dropped (not composited), but with the EXIF orientation applied (our product hashes
 * what a person sees), first frame of an animation.
 */
export async function decodeImage(input: Uint8Array | string): Promise<Pixels> {
  try {
    const { data, info } = await sharp(input, { ignoreIcc: true, failOn: 'error' })
      .rotate()
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (cause) {
    throw new HashingError('IMAGE_UNREADABLE', `the image cannot be decoded: ${(cause as Error).message}`, { cause });
  }
}
