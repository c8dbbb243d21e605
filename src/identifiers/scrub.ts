/**
 * Scrubbing, as the node does it before it normalizes and publishes: every identifier in the raw
 * text replaced by a placeholder, until none is left (a placeholder is never an identifier, so one
 * round is the rule and the loop a guard).
 *
 * The normalized form is read for phone numbers only: normalization drops every separator, so
 * "138 ,,,,, 0013 ,,,,, 8000" becomes a phone there, while "1923–1995", "38 39 40 41" or
 * "Line art A4" would join into what looks like an account number or a handle. The hub reads
 * the published original and value the same way (src/identifiers/screen.ts).
 */
import { normalizeKeywordWithMap } from '../indicators/index.js';
import { findIdentifiers, replaceIdentifiers, type FindOptions, type FoundIdentifier, type IdentifierKind } from './find.js';

/** What is looked for in the normalized form of a text, beside everything in the text itself. */
export const IN_NORMALIZED_FORM: readonly IdentifierKind[] = ['phone'];

/**
 * Phones the normalized form of `text` shows, as spans of `text`; without a default region, as
 * the hub reads it ("03/2026, 3296" joins into a national number of some region).
 */
function phonesWhenNormalized(text: string): FoundIdentifier[] {
  const normalized = normalizeKeywordWithMap(text);
  return findIdentifiers(normalized.normalized, { kinds: IN_NORMALIZED_FORM }).map((f) => ({ ...f, start: normalized.starts[f.start]!, end: normalized.ends[f.end - 1]! }));
}

export interface Scrubbed {
  readonly text: string;
  /** Every identifier removed, with its raw span in the text of the round that found it. */
  readonly found: readonly FoundIdentifier[];
}

const MAX_ROUNDS = 4;

/** `text` with every identifier replaced by `placeholder(kind)`; the placeholder must itself hold none. */
export function scrubText(text: string, placeholder: (kind: IdentifierKind) => string, options: FindOptions = {}): Scrubbed {
  let current = text;
  const removed: FoundIdentifier[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let found = findIdentifiers(current, options);
    if (found.length === 0) found = phonesWhenNormalized(current);
    if (found.length === 0) return { text: current, found: removed };
    removed.push(...found);
    current = replaceIdentifiers(current, found, (f) => placeholder(f.kind));
  }
  // Not reached with real text; if it were, publishing nothing of it is the safe answer.
  return { text: placeholder('account'), found: removed };
}
