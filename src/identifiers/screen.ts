/**
 * The screen every published indicator passes, at the hub's ingest and in `wildintel publish`
 * before it signs: no text value of it may hold an identifier, so a publisher that skips the node
 * cannot put a phone number or a handle into the signed log either. Hashes and fingerprints are
 * not text and are not screened (a SHA-256 in hex has runs of digits by chance).
 */
import type { PublishedIndicator } from '../indicators/index.js';
import { WildintelError } from '../kernel/index.js';
import { findIdentifiers, type IdentifierKind } from './find.js';
import { IN_NORMALIZED_FORM } from './scrub.js';

export interface ScreenHit {
  /** The field that holds it, as the wire names it (`value`, `original`, `context.platformSection`…). */
  readonly field: string;
  readonly kind: IdentifierKind;
}

/** Details never carry the identifier itself: the index, the field and the kind. */
export class IdentifierInValueError extends WildintelError<'IDENTIFIER_IN_VALUE'> {
  constructor(index: number, hit: ScreenHit) {
    super('IDENTIFIER_IN_VALUE', `indicator ${index}: ${hit.field} holds a ${hit.kind} identifier; scrub it (a member node does) or send it as a seller fingerprint`, {
      details: { index, field: hit.field, kind: hit.kind },
    });
  }
}

/**
 * Every free-text value of an indicator, by field, and the kinds looked for in it. A keyword's
 * value is its original normalized (the parser checks it), so where the original is given it is
 * read in full and the value for phones only, as the node scrubs: in the raw text separators
 * still keep "1923–1995" or "38 39 40" apart, where the value has joined them.
 */
function textValues(indicator: PublishedIndicator): Array<readonly [string, string | undefined, (readonly IdentifierKind[])?]> {
  const keyword = indicator.type === 'KEYWORD' ? indicator : undefined;
  return [
    ['original', keyword?.original],
    ['value', keyword?.value, keyword?.original === undefined ? undefined : IN_NORMALIZED_FORM],
    ['species', indicator.species],
    ['context.language', indicator.context?.language],
    ['context.platformSection', indicator.context?.platformSection],
  ];
}

/** The first identifier held by a text value of `indicator`, or undefined. */
export function screenIndicator(indicator: PublishedIndicator): ScreenHit | undefined {
  for (const [field, value, kinds] of textValues(indicator)) {
    if (value === undefined) continue;
    const found = findIdentifiers(value, { kinds })[0];
    if (found !== undefined) return { field, kind: found.kind };
  }
  return undefined;
}

/** Throws IDENTIFIER_IN_VALUE naming the item when `indicator` holds an identifier. */
export function assertNoIdentifier(indicator: PublishedIndicator, index: number): void {
  const hit = screenIndicator(indicator);
  if (hit !== undefined) throw new IdentifierInValueError(index, hit);
}
