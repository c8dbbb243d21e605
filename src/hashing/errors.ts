import { WildintelError } from '../kernel/index.js';

/**
 * The closed set of codes the hashing module throws.
 * - `IMAGE_UNREADABLE`: the bytes or file cannot be read or decoded as an image.
 * - `INVALID_PIXELS`: a decoded-pixel buffer handed to the PDQ core is inconsistent.
 * - `INVALID_PDQ_HASH`: a PDQ hash is not 64 lowercase hex characters.
 */
export type HashingErrorCode = 'IMAGE_UNREADABLE' | 'INVALID_PIXELS' | 'INVALID_PDQ_HASH';

export const HASHING_ERROR_CODES: readonly HashingErrorCode[] = ['IMAGE_UNREADABLE', 'INVALID_PIXELS', 'INVALID_PDQ_HASH'];

export class HashingError extends WildintelError<HashingErrorCode> {}
