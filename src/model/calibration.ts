/**
 * Platt scaling (Platt, 1999; with the target smoothing of Lin, Lin & Weng, 2007): score =
 * sigmoid(a·m + b) fitted on out-of-fold margins m, so that a score of 0.8 means about eight in
 * ten such listings were labelled suspicious in data the model had not seen. Monotonic, so it
 * changes no ranking. Fitted by Newton's method on the two parameters.
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
  let a = 1;
  let b = Math.log((negatives + 1) / (positives + 1)) * -1;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (let i = 0; i < margins.length; i++) {
      const m = margins[i]!;
      const p = sigmoid(a * m + b);
      const d = p - (labels[i] ? hi : lo);
      const s = p * (1 - p);
      ga += d * m;
      gb += d;
      haa += s * m * m;
      hab += s * m;
      hbb += s;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

export function applyPlatt(p: Platt, margin: number): number {
  return sigmoid(p.a * margin + p.b);
}
