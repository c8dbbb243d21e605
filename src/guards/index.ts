/**
 * Precision guards (issue 21): what keeps an over-broad indicator from flooding every platform.
 * The keyword specificity rule (the node, the hub's ingest and `wildintel publish` refuse what it
 * calls broad) and warninglists (benign phrases and generic terms that suppress a match at the
 * hub's matchText and the node's /v1/scan). Pure: the hub and the node store and carry the lists.
 */
export { keywordSpecificity, compileGenericTerms, DEFAULT_GENERIC, MIN_WEIGHT } from './specificity.js';
export type { Specificity, BroadRule, GenericTerms } from './specificity.js';
export { DEFAULT_GENERIC_TERMS } from './generic-terms.js';
export { parseWarninglist, warninglistSha256, listsInEffect, GuardError, WARNINGLIST_KINDS, MAX_WARNINGLIST_ENTRIES } from './warninglist.js';
export type { Warninglist, WarninglistKind, GuardErrorCode } from './warninglist.js';
export { compileWarninglists, SPECIFICITY_LIST } from './suppression.js';
export type { CompiledWarninglists, SuppressedBy, SpannedHit } from './suppression.js';
export { DEFAULT_WARNINGLISTS } from './default-lists.js';
// The hub's side: stored, logged and served lists.
export { createWarninglistService, loggedWarninglists } from './warninglist-store.js';
export type { WarninglistService, PublishedWarninglist } from './warninglist-store.js';
// Flood quarantine: the rule (pure) and the hub's record of holds and releases.
export { floodVerdict, HitRates, DEFAULT_FLOOD_POLICY } from './flood.js';
export type { FloodPolicy, HitRate, FloodVerdict } from './flood.js';
export { createQuarantineService, QuarantineError, QUARANTINES_CHANNEL } from './quarantine-store.js';
export type { QuarantineService, QuarantineRecord, QuarantineErrorCode } from './quarantine-store.js';
// Outcome precision: what removals and NO_VIOLATION outcomes say about an indicator (pure).
export { precisionVerdict, wilsonUpper, DEFAULT_PRECISION_POLICY } from './precision.js';
export type { PrecisionPolicy, PrecisionVerdict } from './precision.js';
// The one decision both kinds of evidence (flood rates, outcome precision) hold an indicator through.
export { holdDecision } from './hold.js';
export type { HoldReason, HoldEvidence, HoldDecision } from './hold.js';
