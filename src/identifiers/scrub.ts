/**
 * Scrubbing, as the node does it before it normalizes and publishes.
 *
 * Normalization drops separators and joins what was apart ("138 号 0013" may become digits that
 * touch), so the node scrubs the raw text, then looks again in its normalized form and scrubs in
 * the raw text whatever that form shows, until neither holds anything: the keyword it publishes
 * then passes the hub's screen by construction.
 */
import { normalizeKeywordWithMap } from '../indicators/index.js';
import { findIdentifiers, replaceIdentifiers, type FindOptions, type FoundIdentifier, type IdentifierKind } from './find.js';

export interface Scrubbed {
  readonly text: string;
  /** Every identifier removed, with its raw span in the text of the round that found it. */
  readonly found: readonly FoundIdentifier[];
}

/** Rounds of scrub-then-normalize; each removes at least one identifier, and texts are short. */
const MAX_ROUNDS = 8;

/** The identifiers the normalized form of `text` shows, as spans of `text`. */
function foundWhenNormalized(text: string, options: FindOptions): FoundIdentifier[] {
  const normalized = normalizeKeywordWithMap(text);
  return findIdentifiers(normalized.normalized, options).map((f) => ({ ...f, start: normalized.starts[f.start]!, end: normalized.ends[f.end - 1]! }));
}

/** Sorted, overlaps merged into the first (its kind names the placeholder). */
function disjoint(found: readonly FoundIdentifier[]): FoundIdentifier[] {
  const out: FoundIdentifier[] = [];
  for (const f of [...found].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last !== undefined && f.start < last.end) out[out.length - 1] = { ...last, end: Math.max(last.end, f.end) };
    else out.push(f);
  }
  return out;
}

/**
 * `text` with every identifier, in its raw and in its normalized form, replaced by
 * `placeholder(kind)`; the placeholder must itself hold none.
 */
export function scrubText(text: string, placeholder: (kind: IdentifierKind) => string, options: FindOptions = {}): Scrubbed {
  let current = text;
  const removed: FoundIdentifier[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let found = findIdentifiers(current, options);
    if (found.length === 0) found = disjoint(foundWhenNormalized(current, options));
    if (found.length === 0) return { text: current, found: removed };
    removed.push(...found);
    current = replaceIdentifiers(current, found, (f) => placeholder(f.kind));
  }
  // Not reached with real text; if it were, publishing nothing is the safe answer.
  return { text: replaceIdentifiers(current, [{ start: 0, end: current.length, kind: 'account', value: '', contact: false }], (f) => placeholder(f.kind)), found: removed };
}
