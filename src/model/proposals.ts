/**
 * Emerging code words at a node: candidate terms of the member's own labelled listings
 * (terms.ts) that the federation does not list yet, each with a few example snippets from the
 * listings labelled suspicious, scrubbed of every identifier (phones, accounts, links…) as the
 * node scrubs what it publishes. The operator approves a proposal (it is published as a KEYWORD
 * observation, through the node's intake and the guards) or dismisses it; both are remembered in
 * a decisions file in the node's data directory and the term is not proposed again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { normalizeKeyword } from '../indicators/index.js';
import { scrubText } from '../identifiers/index.js';
import type { LabelledListing } from './cross-validation.js';
import { ModelError } from './errors.js';
import { candidateTerms, type TermCandidate } from './terms.js';

export interface TermProposal extends TermCandidate {
  readonly examples: readonly string[];
}

export type TermDecision = 'approved' | 'dismissed';

const EXAMPLES = 3;
const SNIPPET_RADIUS = 20;

export function proposeTerms(
  listings: readonly LabelledListing[],
  o: { top: number; minSupport: number; exclude: readonly string[]; decided: ReadonlySet<string> },
): TermProposal[] {
  const terms = candidateTerms(listings, { top: o.top + o.decided.size, minSupport: o.minSupport, exclude: o.exclude }).filter((t) => !o.decided.has(t.term)).slice(0, o.top);
  return terms.map((t) => ({ ...t, examples: examplesOf(t.term, listings) }));
}

function examplesOf(term: string, listings: readonly LabelledListing[]): string[] {
  const out: string[] = [];
  for (const l of listings) {
    if (out.length >= EXAMPLES) break;
    if (!l.label) continue;
    const normalized = normalizeKeyword(l.text);
    if (!normalized.includes(term)) continue;
    // The snippet is cut from the raw text where the term appears as written, else from the normalized text.
    const raw = l.text.toLowerCase().indexOf(term);
    const source = raw >= 0 ? l.text : normalized;
    const at = raw >= 0 ? raw : normalized.indexOf(term);
    const snippet = source.slice(Math.max(0, at - SNIPPET_RADIUS), at + term.length + SNIPPET_RADIUS).replace(/\s+/g, ' ');
    out.push(scrubText(snippet, (kind) => `[${kind}]`).text);
  }
  return out;
}

const decisionsSchema = z.record(z.string(), z.strictObject({ decision: z.enum(['approved', 'dismissed']), at: z.string() }));

export type TermDecisions = Record<string, { decision: TermDecision; at: string }>;

export function readTermDecisions(file: string): TermDecisions {
  if (!existsSync(file)) return {};
  const parsed = decisionsSchema.safeParse((() => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  })());
  if (!parsed.success) throw new ModelError('INVALID_MODEL_FILE', `the term decisions file ${file} is damaged`);
  return parsed.data;
}

/** Records a decision on a normalized term (written whole, then renamed). */
export function recordTermDecision(file: string, term: string, decision: TermDecision, now: Date): void {
  const decisions = { ...readTermDecisions(file), [term]: { decision, at: now.toISOString() } };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(decisions, null, 1)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
