/**
 * Retraining at a member node: the member's own labelled listings (a JSONL file the node keeps,
 * mode 0600, fed by `wildintel node model label` from the member's moderation decisions) → a
 * candidate model → installed only when it evaluates at least as well as the one in use (or when
 * the operator forces it). Nothing here sends anything anywhere: the labels, the model and its
 * figures stay in the node's data directory.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assertNotWorse, trainModel, type ListingModel } from './listing-model.js';
import { DEFAULT_FEATURES, type FeatureConfig } from './features.js';
import { DEFAULT_TRAINING } from './trainer.js';
import { seededRandom } from './random.js';
import { parseLabelledLines } from './labelled-lines.js';
import { readInstalledModel, writeModelFile } from './model-files.js';
import { ModelError } from './errors.js';

/**
 * The node's model works from the listing's text alone: the federation's keyword list changes
 * with every feed batch, and a model whose features named yesterday's list would score today's
 * listings against it. The scan shows the keyword hits beside the score instead.
 */
export const NODE_FEATURES: FeatureConfig = Object.freeze({ ...DEFAULT_FEATURES, hits: false });

export interface RetrainResult {
  readonly candidate: ListingModel;
  readonly previous: ListingModel | undefined;
  readonly installed: boolean;
}

export function retrainModelFile(o: { labelsFile: string; modelFile: string; now: Date; seed: number; folds?: number; force?: boolean }): RetrainResult {
  if (!existsSync(o.labelsFile)) throw new ModelError('TOO_FEW_LABELS', `no labelled listings yet at ${o.labelsFile} (add them with \`wildintel node model label --in FILE.jsonl\`)`);
  const listings = parseLabelledLines(readFileSync(o.labelsFile, 'utf8'));
  const candidate = trainModel(listings, { features: NODE_FEATURES, training: DEFAULT_TRAINING, folds: o.folds ?? 5, seed: o.seed, random: seededRandom(o.seed), now: o.now });
  const previous = readInstalledModel(o.modelFile);
  if (o.force !== true) assertNotWorse(candidate, previous);
  writeModelFile(o.modelFile, candidate);
  return { candidate, previous, installed: true };
}

/** Adds labelled listings to the node's file, after checking every line (all or nothing). Returns how many. */
export function appendLabels(labelsFile: string, content: string): number {
  const listings = parseLabelledLines(content);
  mkdirSync(path.dirname(labelsFile), { recursive: true, mode: 0o700 });
  if (listings.length > 0) appendFileSync(labelsFile, `${listings.map((l) => JSON.stringify({ text: l.text, label: l.label })).join('\n')}\n`, { mode: 0o600 });
  return listings.length;
}
