/**
 * The closed vocabularies of the indicator model (design.md "Indicators").
 *
 * Each is an `as const` array plus the string-literal union derived from it, so
 * the GraphQL layer, the database (CHECK constraints, enum columns) and the
 * validators all read the one list; no TypeScript enums.
 */

export const INDICATOR_TYPES = ['KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const COMMODITIES = [
  'IVORY',
  'RHINO_HORN',
  'PANGOLIN',
  'TIGER',
  'LEOPARD',
  'TURTLE_TORTOISE',
  'BIRD',
  'PRIMATE',
  'REPTILE',
  'OTHER',
] as const;
export type Commodity = (typeof COMMODITIES)[number];

export const PURPOSES = ['DECORATION', 'PET', 'MEDICINE', 'FOOD', 'OTHER'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** FIRST TLP 2.0 labels, least to most restricted: the array order is the rank. */
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];

/** Nodes label a batch AMBER unless told otherwise (design.md). */
export const DEFAULT_TLP: Tlp = 'AMBER';

/** Feedback a member or agency records on an indicator. */
export const OPINION_VERDICTS = ['CONFIRMED', 'FALSE_POSITIVE'] as const;
export type OpinionVerdict = (typeof OPINION_VERDICTS)[number];

/** The hub's aggregate of all verdicts on one indicator. */
export const OPINION_STATUSES = ['UNREVIEWED', 'CONFIRMED', 'DISPUTED', 'FALSE_POSITIVE'] as const;
export type OpinionStatus = (typeof OPINION_STATUSES)[number];

export function isIndicatorType(value: unknown): value is IndicatorType {
  return (INDICATOR_TYPES as readonly unknown[]).includes(value);
}

export function isTlp(value: unknown): value is Tlp {
  return (TLPS as readonly unknown[]).includes(value);
}

/** 0 for CLEAR up to 4 for RED. */
export function tlpRank(tlp: Tlp): number {
  return TLPS.indexOf(tlp);
}

/**
 * Whether a holder cleared up to `max` may see something labelled `tlp`.
 * @example tlpAllows('AMBER', 'GREEN') === true; tlpAllows('AMBER', 'RED') === false
 */
export function tlpAllows(max: Tlp, tlp: Tlp): boolean {
  return tlpRank(tlp) <= tlpRank(max);
}

/** DISPUTED as soon as both kinds of verdict exist (design.md "Opinions"). */
export function aggregateOpinionStatus(counts: { confirmed: number; falsePositive: number }): OpinionStatus {
  if (counts.confirmed > 0 && counts.falsePositive > 0) return 'DISPUTED';
  if (counts.confirmed > 0) return 'CONFIRMED';
  if (counts.falsePositive > 0) return 'FALSE_POSITIVE';
  return 'UNREVIEWED';
}
