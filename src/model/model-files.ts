/**
 * Model files on disk. A model is written to a temporary file beside its place and renamed over
 * it, so a reader (the node's scan, a retrain) never sees half a model; mode 0600, because the
 * weights are learnt from the member's own labelled listings and stay on the node.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors.js';
import type { ListingModel } from './listing-model.js';
import { parseModel, serializeModel } from './model-file.js';

export function readModelFile(file: string): ListingModel {
  if (!existsSync(file)) throw new ModelError('INVALID_MODEL_FILE', `no model file at ${file}`);
  return parseModel(readFileSync(file, 'utf8'));
}

/** The installed model, or undefined when there is none yet. */
export function readInstalledModel(file: string): ListingModel | undefined {
  return existsSync(file) ? readModelFile(file) : undefined;
}

export function writeModelFile(file: string, model: ListingModel): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, serializeModel(model), { mode: 0o600 });
  renameSync(temporary, file);
}
