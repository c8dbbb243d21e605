/**
 * Identifiers caught in every spelling (issue 21): one pure function finds phones, e-mail
 * addresses, chat handles, links and account numbers in free text however they are written, and
 * the node's scrub, the hub's screen and the publishing CLI all go through it.
 */
export { canonicalize, type Canonical } from './canonical.js';
export { findIdentifiers, PLACEHOLDER_WORD, replaceIdentifiers, type FindOptions, type FoundIdentifier, type IdentifierKind } from './find.js';
export { scrubText, type Scrubbed } from './scrub.js';
export { assertNoIdentifier, IdentifierInValueError, screenIndicator, type ScreenHit } from './screen.js';
