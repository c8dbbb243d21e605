/**
 * The review queue's order: one pure function from what the federation already knows about a
 * report to a score with its parts shown, so a reviewer sees why a report is high or low.
 */

export interface ScoreInputs {
  /** Federation keywords found in the description, warninglists applied (suppressed hits are not here). */
  readonly keywordHits: number;
  /** Keyword hits a warninglist suppressed: shown, worth nothing. */
  readonly suppressedKeywordHits: number;
  /** The smallest PDQ distance from a photo to a federation image hash, when any is within the match threshold. */
  readonly closestImageDistance: number | undefined;
  /** Whether this node has published observations naming this listing (its pseudonym is in the vault). */
  readonly listingKnownToNode: boolean;
  /** Earlier reports of this listing that reviewers confirmed or rejected. */
  readonly listingConfirmed: number;
  readonly listingRejected: number;
  /** Earlier reports of the same reporter (by receipt lineage) that were confirmed or rejected. */
  readonly reporterConfirmed: number;
  readonly reporterRejected: number;
  /**
   * The node's text model (src/model): its probability (0–1) that the description is a
   * wildlife-trade listing, and the terms that weighed most. Left out (no model installed), it adds nothing.
   */
  readonly modelScore?: number;
  readonly modelTerms?: readonly string[];
}

export interface ScorePart {
  readonly name: 'keywords' | 'images' | 'listing' | 'reporter' | 'model';
  readonly points: number;
  /** Why, in words a reviewer reads (no report text). */
  readonly why: string;
}

export interface ReportScore {
  readonly total: number;
  readonly parts: readonly ScorePart[];
}

const MATCH_DISTANCE = 31;

export function scoreReport(inputs: ScoreInputs): ReportScore {
  const parts: ScorePart[] = [keywordPart(inputs), imagePart(inputs), listingPart(inputs), reporterPart(inputs)];
  if (inputs.modelScore !== undefined) parts.push(modelPart(inputs.modelScore, inputs.modelTerms ?? []));
  return { total: parts.reduce((sum, p) => sum + p.points, 0), parts };
}

function modelPart(score: number, terms: readonly string[]): ScorePart {
  const p = clamp(score, 0, 1);
  return { name: 'model', points: Math.round(p * 30), why: `text model ${p.toFixed(2)}${terms.length === 0 ? '' : `: ${terms.join(', ')}`}` };
}

function keywordPart({ keywordHits, suppressedKeywordHits }: ScoreInputs): ScorePart {
  const points = Math.min(30, keywordHits * 10);
  const suppressed = suppressedKeywordHits > 0 ? ` (${suppressedKeywordHits} on a warninglist, not counted)` : '';
  return { name: 'keywords', points, why: `${keywordHits} federation keyword(s) in the description${suppressed}` };
}

function imagePart({ closestImageDistance: d }: ScoreInputs): ScorePart {
  if (d === undefined || d > MATCH_DISTANCE) return { name: 'images', points: 0, why: 'no photo matches a federation image' };
  // An exact copy is worth the most; a match at the threshold about a third of it.
  return { name: 'images', points: Math.round(40 - (d / MATCH_DISTANCE) * 25), why: `a photo matches a federation image at PDQ distance ${d}` };
}

function listingPart(i: ScoreInputs): ScorePart {
  const points = (i.listingKnownToNode ? 15 : 0) + Math.min(15, i.listingConfirmed * 10) - Math.min(15, i.listingRejected * 5);
  const known = i.listingKnownToNode ? 'the platform reported this listing before; ' : '';
  return { name: 'listing', points, why: `${known}${i.listingConfirmed} earlier report(s) of it confirmed, ${i.listingRejected} rejected` };
}

function reporterPart(i: ScoreInputs): ScorePart {
  const decided = i.reporterConfirmed + i.reporterRejected;
  if (decided === 0) return { name: 'reporter', points: 0, why: 'no earlier decided reports under this receipt chain' };
  // Laplace-smoothed share confirmed, centred on one half: −10 … +10.
  const share = (i.reporterConfirmed + 1) / (decided + 2);
  return { name: 'reporter', points: Math.round((share - 0.5) * 20), why: `${i.reporterConfirmed} of ${decided} earlier reports under this receipt chain confirmed` };
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}
