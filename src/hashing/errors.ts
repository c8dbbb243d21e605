import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of codes the hashing module throws.
 * - `IMAGE_UNREADABLE`: the bytes or file cannot be read or decoded as an image.
 * - `INVALID_PIXELS`: a decoded-pixel buffer handed to the PDQ core is inconsistent.
 * - `INVALID_PDQ_HASH`: a PDQ hash is not 64 lowercase hex characters.
 * - `IMAGE_TOO_LARGE`: the image's header declares more pixels than the budget, or a width no
 *   hash can take; nothing was decoded (details: width, height, limit).
 */
export type HashingErrorCode = 'IMAGE_UNREADABLE' | 'INVALID_PIXELS' | 'INVALID_PDQ_HASH' | 'IMAGE_TOO_LARGE';

export const HASHING_ERROR_CODES: readonly HashingErrorCode[] = ['IMAGE_UNREADABLE', 'INVALID_PIXELS', 'INVALID_PDQ_HASH', 'IMAGE_TOO_LARGE'];

export class HashingError extends WildintelError<HashingErrorCode> {}
