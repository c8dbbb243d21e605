/**
 * The model file: one JSON object,
 *   { format: "wildintel-listing-model", version: 1, created, features, training, calibration,
 *     bias, weights: { indices, values }, evaluation }
 * where `weights.indices` is base64 of the non-zero weights' indices (uint32, little-endian,
 * ascending) and `weights.values` base64 of their values (float32, little-endian), so a model of
 * 2^20 weights is a few hundred kilobytes, not a dense array. `evaluation` holds the model's own
 * cross-validated figures and keyword-only matching's on the same folds (the swap rule reads
 * them). Parsing is strict: every field is checked before the model is used.
 */
import { z } from 'zod';
import { ModelError } from './errors.js';
import { MODEL_FORMAT, MODEL_VERSION, type ListingModel } from './listing-model.js';

const figures = z.strictObject({ prAuc: z.number().min(0).max(1), bestF1: z.number().min(0).max(1), precisionAtRecall80: z.number().min(0).max(1), precisionAtRecall90: z.number().min(0).max(1) });
const count = z.int().min(0);

const fileSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  created: z.iso.datetime(),
  features: z.strictObject({ bits: z.int().min(8).max(24), charNgrams: z.tuple([z.int().min(1).max(8), z.int().min(1).max(8)]).nullable(), words: z.boolean(), hits: z.boolean() }),
  training: z.strictObject({ epochs: z.int().min(1).max(1000), learningRate: z.number().positive(), l2: z.number().min(0), examples: count, positives: count, seed: z.int() }),
  calibration: z.strictObject({ a: z.number(), b: z.number() }),
  bias: z.number(),
  weights: z.strictObject({ indices: z.base64(), values: z.base64() }),
  evaluation: z.strictObject({ folds: z.int().min(2), seed: z.int(), examples: count, positives: count, model: figures, keywordOnly: figures, keywordSource: z.enum(['given', 'derived']) }),
});

export function serializeModel(model: ListingModel): string {
  const nonZero: number[] = [];
  for (let i = 0; i < model.weights.length; i++) if (model.weights[i] !== 0) nonZero.push(i);
  const indices = Buffer.alloc(nonZero.length * 4);
  const values = Buffer.alloc(nonZero.length * 4);
  nonZero.forEach((i, k) => {
    indices.writeUInt32LE(i, k * 4);
    values.writeFloatLE(model.weights[i]!, k * 4);
  });
  const { weights: _dense, ...rest } = model;
  return `${JSON.stringify({ ...rest, weights: { indices: indices.toString('base64'), values: values.toString('base64') } })}\n`;
}

export function parseModel(text: string): ListingModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelError('INVALID_MODEL_FILE', 'the model file is not JSON', { cause });
  }
  if (typeof json === 'object' && json !== null && (json as { format?: unknown }).format === MODEL_FORMAT && (json as { version?: unknown }).version !== MODEL_VERSION) {
    throw new ModelError('UNSUPPORTED_MODEL_VERSION', `model file version ${String((json as { version?: unknown }).version)} is not supported (this wildintel reads version ${MODEL_VERSION})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError('INVALID_MODEL_FILE', `not a listing model file: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || 'file'} ${issue.message}`}`);
  }
  const f = parsed.data;
  const indices = Buffer.from(f.weights.indices, 'base64');
  const values = Buffer.from(f.weights.values, 'base64');
  const size = 1 << f.features.bits;
  if (indices.length !== values.length || indices.length % 4 !== 0) throw new ModelError('INVALID_MODEL_FILE', 'the model weights are damaged (indices and values differ in length)');
  const weights = new Float32Array(size);
  let last = -1;
  for (let k = 0; k < indices.length / 4; k++) {
    const i = indices.readUInt32LE(k * 4);
    const v = values.readFloatLE(k * 4);
    if (i >= size || i <= last || !Number.isFinite(v)) throw new ModelError('INVALID_MODEL_FILE', 'the model weights are damaged (an index out of order or range, or a value not finite)');
    weights[i] = v;
    last = i;
  }
  const charNgrams = f.features.charNgrams === null ? null : ([f.features.charNgrams[0], f.features.charNgrams[1]] as const);
  if (charNgrams !== null && charNgrams[0] > charNgrams[1]) throw new ModelError('INVALID_MODEL_FILE', 'not a listing model file: features.charNgrams is not [min, max]');
  return { ...f, format: MODEL_FORMAT, version: MODEL_VERSION, features: { ...f.features, charNgrams }, weights };
}
