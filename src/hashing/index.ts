/**
 * Image hashing: PDQ (Meta's perceptual hash, at full resolution, with its eight dihedral
 * variants) and SHA-256 of the file bytes. Everything other contexts may use is exported here.
 */
import { readFile } from 'node:fs/promises';
import { createBudget, createSemaphore, sha256 } from '../kernel/index.js';
import { BYTES_PER_BUDGETED_PIXEL, decodeImage, type DecodeLimits } from './decode.js';
import { HashingError } from './errors.js';
import { pdqDihedralFromPixels, pdqFromPixels, type DihedralName } from './pdq.js';

export { pdqFromPixels, pdqDihedralFromPixels, pdqDihedralFromHash, DIHEDRAL_NAMES } from './pdq.js';
export type { Pixels, PdqResult, PdqDihedralResult, DihedralName } from './pdq.js';
export { decodeImage, decodeBytes, DEFAULT_MAX_PIXELS, BYTES_PER_BUDGETED_PIXEL } from './decode.js';
export type { DecodeLimits, DecodeShape } from './decode.js';
export { HashingError, HASHING_ERROR_CODES } from './errors.js';
export type { HashingErrorCode } from './errors.js';
export { pdqDistance, isPdqHex } from './hamming.js';

export interface ImageHashes {
  /** PDQ of the EXIF-oriented pixels, 64 lowercase hex. */
  readonly pdq: string;
  /** PDQ quality 0–100; under 50 the hash is weak. */
  readonly quality: number;
  /** SHA-256 of the file bytes, 64 lowercase hex. */
  readonly sha256: string;
}

export interface ImageDihedralHashes {
  /** The eight PDQ hashes: orig, rot90 (counter-clockwise), rot180, rot270, flipx, flipy, flipp, flipm. */
  readonly hashes: Readonly<Record<DihedralName, string>>;
  readonly quality: number;
  readonly sha256: string;
}

/**
 * PDQ and SHA-256 of an image given as its bytes or a file path.
 * @throws HashingError `IMAGE_UNREADABLE` when the file cannot be read or decoded, `IMAGE_TOO_LARGE`
 * when its header declares more pixels than `limits.maxPixels` (default DEFAULT_MAX_PIXELS).
 */
export async function hashImage(input: Uint8Array | string, limits: DecodeLimits = {}): Promise<ImageHashes> {
  const bytes = await readBytes(input);
  const { hash, quality } = pdqFromPixels(await decodeImage(bytes, limits));
  return { pdq: hash, quality, sha256: sha256(bytes).toString('hex') };
}

/** The eight dihedral PDQ hashes (compare a query with all eight for rotation-robust matching). */
export async function hashImageDihedral(input: Uint8Array | string, limits: DecodeLimits = {}): Promise<ImageDihedralHashes> {
  const bytes = await readBytes(input);
  const { hashes, quality } = pdqDihedralFromPixels(await decodeImage(bytes, limits));
  return { hashes, quality, sha256: sha256(bytes).toString('hex') };
}

/**
 * Hashing for a server: a pixel budget per image, a bound on decodes at once, and a bound on the
 * bytes they hold together (decodeBytes of each, from its header).
 */
export interface ImageHasher {
  hash(input: Uint8Array | string): Promise<ImageHashes>;
  hashDihedral(input: Uint8Array | string): Promise<ImageDihedralHashes>;
  /** Decodes running and waiting now; images hashed since start; decode bytes held now, at most since start, and allowed. */
  stats(): { readonly active: number; readonly waiting: number; readonly hashed: number; readonly decodeBytes: number; readonly peakDecodeBytes: number; readonly decodeMemory: number };
}

/**
 * `memoryBytes` defaults to the bound the node documents, concurrency × 6 bytes × maxPixels:
 * two 40-megapixel 8-bit photographs decode side by side, a 16-bit one alone.
 */
export function createImageHasher(options: { maxPixels: number; concurrency: number; memoryBytes?: number }): ImageHasher {
  const gate = createSemaphore(options.concurrency);
  const memory = createBudget(options.memoryBytes ?? options.concurrency * BYTES_PER_BUDGETED_PIXEL * options.maxPixels);
  const limits = { maxPixels: options.maxPixels, memory };
  let hashed = 0;
  const counted = async <T>(task: () => Promise<T>): Promise<T> => {
    const result = await gate.run(task);
    hashed++;
    return result;
  };
  return {
    hash: (input) => counted(() => hashImage(input, limits)),
    hashDihedral: (input) => counted(() => hashImageDihedral(input, limits)),
    stats: () => ({ active: gate.active, waiting: gate.waiting, hashed, decodeBytes: memory.used, peakDecodeBytes: memory.peak, decodeMemory: memory.capacity }),
  };
}

/** The bytes are read once, so the SHA-256 and the PDQ describe the same content. */
async function readBytes(input: Uint8Array | string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFile(input);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown';
    throw new HashingError('IMAGE_UNREADABLE', `the image file cannot be read (${code})`, { cause, details: { errno: code } });
  }
}
