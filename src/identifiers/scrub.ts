/**
 * Scrubbing, as the node does it before it normalizes and publishes: every identifier in the raw
 * text replaced by a placeholder, until none is left (a placeholder is never an identifier, so one
 * round is the rule and the loop a guard).
 *
 * Only the raw text is looked at, never its normalized form: normalization drops every separator,
 * so "1923–1995", "38 39 40 41" or "Line art A4" would join into what looks like an account
 * number or a handle. The keyword is published with its scrubbed text as `original`, and the hub
 * screens that original (src/identifiers/screen.ts), from which the value follows.
 */
import { findIdentifiers, replaceIdentifiers, type FindOptions, type FoundIdentifier, type IdentifierKind } from './find.js';

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
    const found = findIdentifiers(current, options);
    if (found.length === 0) return { text: current, found: removed };
    removed.push(...found);
    current = replaceIdentifiers(current, found, (f) => placeholder(f.kind));
  }
  // Not reached with real text; if it were, publishing nothing of it is the safe answer.
  return { text: placeholder('account'), found: removed };
}
