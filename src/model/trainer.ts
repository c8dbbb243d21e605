/**
 * L2-regularized logistic regression over hashed sparse features, trained by AdaGrad SGD.
 *
 * Why not a library: npm's well-kept choice, ml-logistic-regression 2.0.0 (mljs), takes dense
 * ml-matrix rows and runs batch gradient descent one-vs-all; 2^20 hashed features × thousands of
 * listings cannot be dense, and nothing on npm that is maintained takes sparse input (liblinear and
 * Vowpal Wabbit exist for Python and C only). The trainer below is forty lines: AdaGrad (Duchi et
 * al., 2011) gives each feature its own step size, which suits text, where a rare code word and a
 * common character differ in frequency by orders of magnitude. L2 is applied to the features a
 * listing has when it is seen ("lazy" L2, the usual sparse SGD shortcut).
 *
 * Deterministic: the visiting order comes from the `random` passed in.
 */
import type { SparseVector } from './features.js';
import { shuffle, type Rng } from './random.js';

export interface TrainOptions {
  readonly bits: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly random: Rng;
  /** Called after each epoch (progress on a TTY). */
  readonly onEpoch?: (epoch: number) => void;
}

export const DEFAULT_TRAINING: Readonly<{ epochs: number; learningRate: number; l2: number }> = Object.freeze({ epochs: 10, learningRate: 0.5, l2: 1e-4 });

export interface LinearModel {
  readonly weights: Float32Array;
  readonly bias: number;
}

export interface Example {
  readonly x: SparseVector;
  readonly y: boolean;
}

export function trainLogistic(examples: readonly Example[], options: TrainOptions): LinearModel {
  const size = 1 << options.bits;
  const w = new Float32Array(size);
  const g2 = new Float32Array(size);
  let bias = 0;
  let biasG2 = 0;
  const order = examples.map((_, i) => i);
  const eps = 1e-8;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, options.random);
    for (const at of order) {
      const { x, y } = examples[at]!;
      const error = sigmoid(margin(w, bias, x)) - (y ? 1 : 0);
      for (let j = 0; j < x.indices.length; j++) {
        const i = x.indices[j]!;
        const g = error * x.values[j]! + options.l2 * w[i]!;
        g2[i] = g2[i]! + g * g;
        w[i] = w[i]! - (options.learningRate * g) / (Math.sqrt(g2[i]!) + eps);
      }
      biasG2 += error * error;
      bias -= (options.learningRate * error) / (Math.sqrt(biasG2) + eps);
    }
    options.onEpoch?.(epoch + 1);
  }
  return { weights: w, bias };
}

/** The model's log-odds for a listing, before calibration. */
export function margin(weights: Float32Array, bias: number, x: SparseVector): number {
  let m = bias;
  for (let j = 0; j < x.indices.length; j++) m += weights[x.indices[j]!]! * x.values[j]!;
  return m;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
