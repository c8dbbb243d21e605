/**
 * The platform API's observation, design.md "The platform API of a member node" (fixed shape,
 * extensions allowed), and its strict parser. Everything here is raw platform input: unknown
 * fields are refused, strings bounded, and no error message ever quotes a value.
 */
import { z } from 'zod';
import { COMMODITIES, DEFAULT_TLP, MAX_RAW_LISTING_LENGTH, PURPOSES, SELLER_IDENTIFIER_KINDS, TLPS } from '../indicators/index.js';
import type { Commodity, IndicatorContext, Purpose, SellerIdentifier, Tlp } from '../indicators/index.js';
import { findUnsafeText } from '../kernel/index.js';
import { NodeError } from './errors.js';

/** Observations in one request; a bulk job sends several requests. */
export const MAX_OBSERVATIONS = 1000;

export type ImageSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** A file on the node's disk (bulk jobs), checked against NODE_IMAGE_DIR when read. */
  | { readonly kind: 'path'; readonly path: string };

export interface ObservationCommon {
  readonly commodity: Commodity;
  readonly species?: string;
  readonly purpose?: Purpose;
  readonly confidence: number;
  readonly tlp: Tlp;
  readonly observedAt: string;
  readonly expiresAt?: string;
  readonly context?: IndicatorContext;
  /** The platform's raw listing id or URL: only its pseudonym leaves the node (anonymizer.ts). */
  readonly listing?: string;
}

export type Observation = ObservationCommon &
  (
    | { readonly kind: 'seller'; readonly identifier: SellerIdentifier }
    | { readonly kind: 'keyword'; readonly text: string }
    | { readonly kind: 'image'; readonly image: ImageSource }
  );

const common = {
  commodity: z.enum(COMMODITIES),
  species: z.string().max(100).optional(),
  purpose: z.enum(PURPOSES).optional(),
  confidence: z.int().min(0).max(100),
  tlp: z.enum(TLPS).optional(),
  observedAt: z.string().max(40),
  expiresAt: z.string().max(40).optional(),
  language: z.string().max(35).optional(),
  platformSection: z.string().max(64).optional(),
  listingCount: z.int().min(0).max(1_000_000_000).optional(),
  listing: z.string().min(1).max(MAX_RAW_LISTING_LENGTH).optional(),
};

const wire = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('seller'),
    identifier: z.strictObject({ type: z.enum(SELLER_IDENTIFIER_KINDS), value: z.string().min(1).max(1024) }),
    ...common,
  }),
  z.strictObject({ kind: z.literal('keyword'), text: z.string().min(1).max(1000), ...common }),
  z.strictObject({
    kind: z.literal('image'),
    data: z.base64('must be base64').max(64 * 1024 * 1024).optional(),
    path: z.string().min(1).max(4096).optional(),
    /** The name of a multipart part holding the image. */
    file: z.string().min(1).max(200).optional(),
    ...common,
  }),
]);
type Wire = z.infer<typeof wire>;

const envelope = z.strictObject({ observations: z.array(z.unknown()).min(1).max(MAX_OBSERVATIONS) });

/** Uploaded multipart parts by field name. */
export type UploadedFiles = ReadonlyMap<string, Uint8Array>;

/**
 * Parses a request body `{"observations": […]}`. Throws INVALID_OBSERVATION with the index and
 * field of the first bad observation (index -1 for the envelope itself).
 */
export function parseObservations(body: unknown, files: UploadedFiles = new Map()): Observation[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    const { field, reason } = firstIssue(parsed.error);
    throw invalidObservation(-1, field, reason);
  }
  return parsed.data.observations.map((item, index) => parseObservation(item, index, files));
}

export function parseObservation(item: unknown, index: number, files: UploadedFiles = new Map()): Observation {
  // A NUL or a lone surrogate can be neither stored (jsonb, text) nor signed: refused here, with the field.
  const unsafe = findUnsafeText(item);
  if (unsafe !== undefined) throw invalidObservation(index, unsafe.path === '(value)' ? 'observation' : unsafe.path, unsafe.reason);
  const result = wire.safeParse(item, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined) });
  if (!result.success) {
    const { field, reason } = firstIssue(result.error);
    throw invalidObservation(index, field, reason);
  }
  return toObservation(result.data, index, files);
}

/** `code`, when given, says why in a word a program can switch on (e.g. IMAGE_TOO_LARGE), as `details.reason`. */
export function invalidObservation(index: number, field: string, reason: string, cause?: unknown, code?: string): NodeError {
  const where = index < 0 ? '' : `observation ${index}: `;
  return new NodeError('INVALID_OBSERVATION', `${where}${field} ${reason}`, { details: { index, field, ...(code === undefined ? {} : { reason: code }) }, ...(cause === undefined ? {} : { cause }) });
}

function toObservation(w: Wire, index: number, files: UploadedFiles): Observation {
  const base = commonOf(w);
  switch (w.kind) {
    case 'seller':
      return { ...base, kind: 'seller', identifier: { kind: w.identifier.type, value: w.identifier.value } };
    case 'keyword':
      return { ...base, kind: 'keyword', text: w.text };
    case 'image':
      return { ...base, kind: 'image', image: imageSource(w, index, files) };
  }
}

function imageSource(w: Extract<Wire, { kind: 'image' }>, index: number, files: UploadedFiles): ImageSource {
  const given = [w.data, w.path, w.file].filter((v) => v !== undefined).length;
  if (given !== 1) throw invalidObservation(index, 'data', 'an image needs exactly one of data (base64), path or file (a multipart part)');
  if (w.data !== undefined) return { kind: 'bytes', bytes: new Uint8Array(Buffer.from(w.data, 'base64')) };
  if (w.path !== undefined) return { kind: 'path', path: w.path };
  const bytes = files.get(w.file!);
  if (bytes === undefined) throw invalidObservation(index, 'file', 'names no uploaded part of this request');
  return { kind: 'bytes', bytes };
}

function commonOf(w: Wire): ObservationCommon {
  const context: IndicatorContext = {
    ...(w.language === undefined ? {} : { language: w.language }),
    ...(w.platformSection === undefined ? {} : { platformSection: w.platformSection }),
    ...(w.listingCount === undefined ? {} : { listingCount: w.listingCount }),
  };
  return {
    commodity: w.commodity,
    confidence: w.confidence,
    tlp: w.tlp ?? DEFAULT_TLP,
    observedAt: w.observedAt,
    ...(w.species === undefined ? {} : { species: w.species }),
    ...(w.purpose === undefined ? {} : { purpose: w.purpose }),
    ...(w.expiresAt === undefined ? {} : { expiresAt: w.expiresAt }),
    ...(w.listing === undefined ? {} : { listing: w.listing }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
  };
}

/** The first zod issue as the field it names and why; zod's messages name types and options, never the input. */
export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: 'observation', reason: 'is invalid' };
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') return { field: [...path, issue.keys[0] ?? ''].join('.'), reason: 'is not a known field' };
  return { field: path.length === 0 ? 'observation' : path.join('.'), reason: issue.message };
}
