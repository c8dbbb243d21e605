/**
 * `POST /v1/reports`: the public's report, parsed strictly. JSON only; photos are base64 in the
 * body (a phone's form reads them with FileReader): one shape to validate, one size bound.
 */
import { z } from 'zod';
import { COMMODITIES, MAX_RAW_LISTING_LENGTH, type Commodity } from '../indicators/index.js';
import { controlCharacterReason, findUnsafeText } from '../kernel/index.js';
import { ReportError } from './errors.js';

export const MAX_PHOTOS = 4;
export const MAX_DESCRIPTION = 4000;
export const MAX_CONTACT = 200;

/** A receipt code: R- and four groups of five Crockford base32 characters (100 bits). */
export const RECEIPT_PATTERN = /^R-[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/;

export interface ReportRequest {
  readonly listing: string;
  readonly commodity: Commodity;
  readonly description: string;
  readonly photos: readonly Uint8Array[];
  readonly contact?: string;
  readonly previousReceipt?: string;
  /** The ALTCHA payload (base64 JSON), checked by pow.ts. */
  readonly altcha: string;
}

const schema = z.strictObject({
  listing: z.string().min(1, 'is required').max(MAX_RAW_LISTING_LENGTH),
  commodity: z.enum(COMMODITIES),
  description: z.string().min(1, 'is required').max(MAX_DESCRIPTION),
  photos: z.array(z.base64('must be base64')).max(MAX_PHOTOS, `holds at most ${MAX_PHOTOS} photos`).optional(),
  contact: z.string().max(MAX_CONTACT).optional(),
  previousReceipt: z.string().regex(RECEIPT_PATTERN, 'must be a receipt code such as R-ABCDE-FGHJK-MNPQR-STVWX').optional(),
  altcha: z.string().min(1, 'is required: solve the proof of work').max(20_000),
});

export function parseReportRequest(body: unknown, maxPhotoBytes: number): ReportRequest {
  const unsafe = findUnsafeText(body);
  if (unsafe !== undefined) throw invalid(unsafe.path === '(value)' ? 'report' : unsafe.path, unsafe.reason);
  const parsed = schema.safeParse(body, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String) ?? [];
    if (issue?.code === 'unrecognized_keys') throw invalid(issue.keys[0] ?? 'report', 'is not a known field');
    throw invalid(path.length === 0 ? 'report' : path.join('.'), issue?.message ?? 'is invalid');
  }
  const r = parsed.data;
  // Control characters (terminal escapes, bidi overrides) are refused: reviewers read these, and the CLI prints them.
  for (const [field, value, shape] of [['listing', r.listing, 'line'], ['description', r.description, 'multiline'], ['contact', r.contact, 'line']] as const) {
    const reason = value === undefined ? undefined : controlCharacterReason(value, shape);
    if (reason !== undefined) throw invalid(field, reason);
  }
  const photos = (r.photos ?? []).map((data, i) => {
    // base64 is 4/3 of the bytes: checked before decoding.
    if (data.length > Math.ceil(maxPhotoBytes / 3) * 4) throw new ReportError('INVALID_PHOTO', `photos.${i} is over the photo size limit`, { details: { field: `photos.${i}`, reason: 'PHOTO_TOO_LARGE' } });
    return new Uint8Array(Buffer.from(data, 'base64'));
  });
  const contact = r.contact?.trim();
  return {
    listing: r.listing,
    commodity: r.commodity,
    description: r.description,
    photos,
    altcha: r.altcha,
    ...(contact === undefined || contact === '' ? {} : { contact }),
    ...(r.previousReceipt === undefined ? {} : { previousReceipt: r.previousReceipt }),
  };
}

function invalid(field: string, reason: string): ReportError {
  return new ReportError('INVALID_REPORT', `${field} ${reason}`, { details: { field } });
}
