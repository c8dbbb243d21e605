import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { decodeImage } from './decode.js';
import { pdqDihedralFromPixels, pdqFromPixels, type PdqDihedralResult } from './pdq.js';

export { pdqFromPixels, pdqDihedralFromPixels, DIHEDRAL_NAMES } from './pdq.js';
export type { Pixels, PdqResult, PdqDihedralResult, DihedralName } from './pdq.js';
export { decodeImage, HashingError } from './decode.js';
export type { HashingErrorCode } from './decode.js';
export { pdqDistance, isPdqHex } from './hamming.js';

export interface ImageHashes {
  /** PDQ of the oriented pixels, 64 lowercase hex. */
  readonly pdq: string;
  readonly quality: number;
  /** SHA-256 of the file bytes, 64 lowercase hex. */
  readonly sha256: string;
}

/** PDQ and SHA-256 of an image given as bytes or a file path. */
export async function hashImage(input: Uint8Array | string): Promise<ImageHashes> {
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  const { hash, quality } = pdqFromPixels(await decodeImage(bytes));
  return { pdq: hash, quality, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function hashImageDihedral(input: Uint8Array | string): Promise<PdqDihedralResult> {
  return pdqDihedralFromPixels(await decodeImage(input));
}
