/**
 * Platt scaling (Platt, 1999; with the target smoothing of Lin, Lin & Weng, 2007): score =
 * sigmoid(a·m + b) fitted on out-of-fold margins m, so that a score of 0.8 means about eight in
 * ten such listings were labelled suspicious in data the model had not seen. Monotonic, so it
 * changes no ranking. Fitted by Newton's method on the two parameters with a backtracking line
 * search (Lin, Lin & Weng's algorithm 1): out-of-fold margins of a good model are large, and a
 * full Newton step from there can overshoot into a worse fit.
 */
import { sigmoid } from './trainer.js';

export interface Platt {
  readonly a: number;
  readonly b: number;
}

export function fitPlatt(margins: readonly number[], labels: readonly boolean[]): Platt {
  const positives = labels.filter((l) => l).length;
  const negatives = labels.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const targets = labels.map((l) => (l ? hi : lo));
  let a = 0;
  let b = Math.log((positives + 1) / (negatives + 1));
  let loss = plattLoss(margins, targets, a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < margins.length; i++) {
      const m = margins[i]!;
      const p = sigmoid(a * m + b);
      const d = p - targets[i]!;
      const s = p * (1 - p);
      ga += d * m;
      gb += d;
      haa += s * m * m;
      hab += s * m;
      hbb += s;
    }
    if (Math.abs(ga) < 1e-7 && Math.abs(gb) < 1e-7) break;
    const det = haa * hbb - hab * hab;
    const da = det > 1e-18 ? (hbb * ga - hab * gb) / det : ga;
    const db = det > 1e-18 ? (haa * gb - hab * ga) / det : gb;
    let step = 1;
    for (; step >= 1e-10; step /= 2) {
      const next = plattLoss(margins, targets, a - step * da, b - step * db);
      if (next < loss + 1e-4 * step * (ga * -da + gb * -db)) {
        loss = next;
        break;
      }
    }
    if (step < 1e-10) break;
    a -= step * da;
    b -= step * db;
  }
  return { a, b };
}

/** Cross-entropy of sigmoid(a·m + b) against the smoothed targets, computed without overflow. */
function plattLoss(margins: readonly number[], targets: readonly number[], a: number, b: number): number {
  let loss = 0;
  for (let i = 0; i < margins.length; i++) {
    const z = a * margins[i]! + b;
    const t = targets[i]!;
    // −[t·log σ(z) + (1−t)·log(1−σ(z))] = log(1+e^z) − t·z
    loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
  }
  return loss;
}

export function applyPlatt(p: Platt, margin: number): number {
  return sigmoid(p.a * margin + p.b);
}
