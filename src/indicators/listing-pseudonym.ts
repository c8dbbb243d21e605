/**
 * Listing pseudonyms: which listing an observation came from, so that the hub can link what was
 * seen in one listing without ever learning the platform's listing id or URL.
 *
 *   lp1.<keyId>.<base64url(HMAC-SHA256(K, "listing:" NFKC+trim(raw)))>
 *
 * K is the federation pseudonym key of epoch `keyId`, as for seller fingerprints. The hub links
 * listings of one member only (the same raw id on two platforms is two listings), so the member
 * slug need not be hashed in. Pure: the key is passed in by the node, which alone holds it.
 */
import { createHmac } from 'node:crypto';
import { InvalidIndicatorError } from './errors.js';
import { assertPseudonymKey, type PseudonymKey } from './seller-fingerprint.js';

/** At most this many listings on one signed item (a keyword repeated in one batch folds its listings). */
export const MAX_ITEM_LISTINGS = 64;
/** A longer raw listing id or URL is not one; bounds the work on platform input. */
export const MAX_RAW_LISTING_LENGTH = 2048;

const LISTING_PSEUDONYM = /^lp1\.[a-z0-9][a-z0-9-]{0,31}\.(?<encoded>[A-Za-z0-9_-]{43})$/;

/** The pseudonym of a raw listing id or URL under `key`. Throws INVALID_INDICATOR (field `listing`) for an empty or oversized one. */
export function computeListingPseudonym(raw: string, key: PseudonymKey): string {
  const canonical = raw.normalize('NFKC').trim();
  if (canonical === '' || canonical.length > MAX_RAW_LISTING_LENGTH) {
    throw new InvalidIndicatorError('listing', `must be a listing id or URL of 1 to ${MAX_RAW_LISTING_LENGTH} characters`);
  }
  assertPseudonymKey(key);
  const digest = createHmac('sha256', key.key).update(`listing:${canonical}`, 'utf8').digest('base64url');
  return `lp1.${key.keyId}.${digest}`;
}

/** Whether `value` is a well-formed listing pseudonym (canonical base64url of 32 bytes). */
export function isListingPseudonym(value: string): boolean {
  const encoded = LISTING_PSEUDONYM.exec(value)?.groups?.['encoded'];
  if (encoded === undefined) return false;
  const digest = Buffer.from(encoded, 'base64url');
  return digest.length === 32 && digest.toString('base64url') === encoded;
}
