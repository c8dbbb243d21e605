/**
 * `POST /v1/scan`: which federation indicators a listing matches, answered from the node's own
 * index. The listing's text and image stay on the node: nothing is sent to the hub, nothing is
 * stored, nothing is logged.
 */
import { z } from 'zod';
import { hashImageDihedral, type ImageDihedralHashes } from '../hashing/index.js';
import type { Clock } from '../kernel/index.js';
import type { EntityManager } from 'typeorm';
import { hashSource } from './anonymizer.js';
import { NodeError } from './errors.js';
import type { FederationIndex, ScanResult } from './federation-index.js';
import { firstIssue, type ImageSource, type UploadedFiles } from './observation.js';
import { scoreListing, type ModelSlot } from '../model/index.js';

const MAX_TEXT = 100_000;

const scanSchema = z.strictObject({
  text: z.string().min(1).max(MAX_TEXT).optional(),
  image: z
    .strictObject({ data: z.base64('must be base64').max(64 * 1024 * 1024).optional(), path: z.string().min(1).max(4096).optional(), file: z.string().min(1).max(200).optional() })
    .optional(),
  /** PDQ Hamming distance, 0–128 (31 is the usual match threshold). */
  maxDistance: z.coerce.number().int().min(0).max(128).optional(),
});

export interface ScanRequest {
  readonly text?: string;
  readonly image?: ImageSource;
  readonly maxDistance?: number;
}

export function parseScanRequest(body: unknown, files: UploadedFiles = new Map()): ScanRequest {
  const parsed = scanSchema.safeParse(body);
  if (!parsed.success) {
    const { field, reason } = firstIssue(parsed.error);
    throw new NodeError('INVALID_SCAN', `${field} ${reason}`, { details: { field } });
  }
  const { text, image, maxDistance } = parsed.data;
  const upload = files.get('image');
  if (text === undefined && image === undefined && upload === undefined) throw new NodeError('INVALID_SCAN', 'send text, an image, or both', { details: { field: 'text' } });
  const source = upload !== undefined ? { kind: 'bytes' as const, bytes: upload } : image === undefined ? undefined : imageOf(image, files);
  return { ...(text === undefined ? {} : { text }), ...(source === undefined ? {} : { image: source }), ...(maxDistance === undefined ? {} : { maxDistance }) };
}

function imageOf(image: { data?: string | undefined; path?: string | undefined; file?: string | undefined }, files: UploadedFiles): ImageSource {
  if ([image.data, image.path, image.file].filter((v) => v !== undefined).length !== 1) {
    throw new NodeError('INVALID_SCAN', 'image needs exactly one of data (base64), path or file', { details: { field: 'image' } });
  }
  if (image.data !== undefined) return { kind: 'bytes', bytes: new Uint8Array(Buffer.from(image.data, 'base64')) };
  if (image.path !== undefined) return { kind: 'path', path: image.path };
  const bytes = files.get(image.file!);
  if (bytes === undefined) throw new NodeError('INVALID_SCAN', 'image.file names no uploaded part', { details: { field: 'image.file' } });
  return { kind: 'bytes', bytes };
}

/** The installed model's view of a scanned text (docs/member-node.md, "Reading model scores"). */
export interface ScanModelScore {
  /** Calibrated, 0–1: about the share of such listings the member's own moderators labelled suspicious. */
  readonly score: number;
  /** The words and character n-grams that raised the score most, best first. */
  readonly topTerms: readonly string[];
  /** When the model in use was trained (its file says with what figures). */
  readonly modelCreated: string;
}

export type ScanReply = ScanResult & { readonly model?: ScanModelScore };

/**
 * Matches the text with the keyword automaton and the image's eight dihedral PDQ hashes in the
 * PDQ index, and scores the text with the node's own model when one is installed.
 */
export async function scanListing(
  db: Pick<EntityManager, 'query'>,
  index: FederationIndex,
  request: ScanRequest,
  options: { imageDir: string | undefined; clock: Clock; hashDihedral?: (input: Uint8Array | string) => Promise<ImageDihedralHashes>; model?: ModelSlot },
): Promise<ScanReply> {
  const refuse = (field: string, reason: string, cause?: unknown, code?: string): NodeError =>
    new NodeError('INVALID_SCAN', `image.${field} ${reason}`, { cause, details: { field: `image.${field}`, ...(code === undefined ? {} : { reason: code }) } });
  const hash = options.hashDihedral ?? ((input: Uint8Array | string) => hashImageDihedral(input));
  const dihedral = request.image === undefined ? undefined : await hashSource(request.image, options.imageDir, refuse, hash);
  const pdqHashes = dihedral === undefined ? [] : [...new Set(Object.values(dihedral.hashes))];
  const result = await index.scan(db, { ...(request.text === undefined ? {} : { text: request.text }), pdqHashes, ...(request.maxDistance === undefined ? {} : { maxDistance: request.maxDistance }) }, options.clock.now());
  const model = request.text === undefined ? undefined : options.model?.current();
  if (model === undefined || request.text === undefined) return result;
  const { score, topTerms } = scoreListing(model, request.text);
  return { ...result, model: { score, topTerms, modelCreated: model.created } };
}
