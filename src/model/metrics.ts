/**
 * Ranking figures of scored, labelled listings. Tied scores are one threshold: a keyword list
 * that flags 40 listings ranks them together, and no order among them is invented.
 * - PR-AUC is average precision, Σ (Rₖ − Rₖ₋₁)·Pₖ over thresholds (step-wise, as scikit-learn's
 *   average_precision_score; no interpolation, which would flatter a coarse scorer);
 * - best F1 is the highest F1 at any threshold;
 * - precision at recall r is the highest precision at a threshold that reaches recall r (flagging
 *   everything always reaches recall 1, so it is the base rate at worst).
 */
export interface Figures {
  readonly prAuc: number;
  readonly bestF1: number;
  readonly precisionAtRecall80: number;
  readonly precisionAtRecall90: number;
}

interface Point {
  readonly precision: number;
  readonly recall: number;
}

function curve(scores: readonly number[], labels: readonly boolean[]): Point[] {
  const order = scores.map((_, i) => i).sort((x, y) => scores[y]! - scores[x]!);
  const positives = labels.filter((l) => l).length;
  const points: Point[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    points.push({ precision: tp / (tp + fp), recall: positives === 0 ? 0 : tp / positives });
  }
  return points;
}

export function rankingFigures(scores: readonly number[], labels: readonly boolean[]): Figures {
  const points = curve(scores, labels);
  let prAuc = 0;
  let lastRecall = 0;
  let bestF1 = 0;
  for (const p of points) {
    prAuc += (p.recall - lastRecall) * p.precision;
    lastRecall = p.recall;
    if (p.precision + p.recall > 0) bestF1 = Math.max(bestF1, (2 * p.precision * p.recall) / (p.precision + p.recall));
  }
  const atRecall = (r: number): number => Math.max(0, ...points.filter((p) => p.recall >= r - 1e-12).map((p) => p.precision));
  return { prAuc, bestF1, precisionAtRecall80: atRecall(0.8), precisionAtRecall90: atRecall(0.9) };
}

/** Figures rounded for printing and for the model file (four decimals). */
export function roundFigures(f: Figures): Figures {
  const r = (x: number): number => Math.round(x * 10000) / 10000;
  return { prAuc: r(f.prAuc), bestF1: r(f.bestF1), precisionAtRecall80: r(f.precisionAtRecall80), precisionAtRecall90: r(f.precisionAtRecall90) };
}
