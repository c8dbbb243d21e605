import { COMMODITIES, INDICATOR_TYPES, TLPS, tlpAllows, tlpRank, type Commodity, type IndicatorType, type Tlp, type Visibility } from '../indicators/index.js';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

/**
 * The hub's one entitlement decision: what of the indicator data a principal may see on a given
 * path. Every path that returns indicator data (GraphQL queries and subscriptions, provenance,
 * `/v1/batches`, `/v1/feed`, exports) asks this module, and nothing else decides. Pure: no I/O,
 * no clock. Expiry and retraction are not entitlements but view filters (an expired sighting is
 * hidden by default and may be asked for); they are applied by the store on top of the grant.
 */

/** The paths that return indicator data, by what they need. */
export const READ_PATHS = {
  /** `indicator`, `indicators`, an indicator's sightings and opinions, `reportOpinion`'s target. */
  indicators: { scopes: ['indicators:read'], auditorSeesAll: false },
  /** `seller`: pseudonymous seller profiles. */
  seller: { scopes: ['sellers:read'], auditorSeesAll: false },
  matchText: { scopes: ['match:text'], auditorSeesAll: false },
  matchImage: { scopes: ['match:image'], auditorSeesAll: false },
  /** `stats`: counts over visible sightings, no indicator values. */
  stats: { scopes: ['stats:read'], auditorSeesAll: false },
  /** `indicatorPublished` over graphql-ws. */
  subscription: { scopes: ['indicators:read'], auditorSeesAll: false },
  /** The TAXII 2.1 server and the MISP feed (src/interop): agencies' own tools. */
  taxii: { scopes: ['taxii:read'], auditorSeesAll: false },
  /** `provenance(indicatorId)`, `GET /v1/batches/…`, `GET /v1/feed`: the content behind the log's hashes. */
  provenance: { scopes: ['provenance:read', 'indicators:read'], auditorSeesAll: true },
} as const satisfies Record<string, { scopes: readonly Scope[]; auditorSeesAll: boolean }>;

export type ReadPath = keyof typeof READ_PATHS;

/** What entitlement depends on for one sighting (never time: see the module comment). */
export interface SightingFacts {
  readonly member: string;
  readonly tlp: Tlp;
  readonly commodity: Commodity;
  readonly type: IndicatorType;
}

/**
 * What a principal may see on a path, in a form both a predicate ({@link maySee}) and SQL
 * ({@link grantVisibility}) are derived from. `all` overrides the rest.
 */
export interface Grant {
  readonly all: boolean;
  readonly tlps: readonly Tlp[];
  /** null: every commodity. */
  readonly commodities: readonly Commodity[] | null;
  readonly types: readonly IndicatorType[];
  /** A member sees its own sightings at any TLP. */
  readonly ownMember: string | null;
}

export const NOTHING: Grant = Object.freeze({ all: false, tlps: [], commodities: [], types: [], ownMember: null });
const EVERYTHING: Grant = Object.freeze({ all: true, tlps: TLPS, commodities: null, types: INDICATOR_TYPES, ownMember: null });

/** design.md: members see other members' CLEAR, GREEN and AMBER batches; AMBER_STRICT and RED go to agencies only. */
export const MEMBER_SHARED_TLP: Tlp = 'AMBER';

/**
 * The grant of `principal` on `path`:
 * - anonymous: nothing;
 * - a member: its own sightings, and others' up to AMBER, every commodity and type;
 * - an agency token without any of the path's scopes: nothing;
 * - an agency token with provenance:read on a provenance path: everything (the auditor);
 * - otherwise the token's limits: its TLP and below, its commodities if it names any, and SELLER
 *   indicators only with sellers:read.
 */
export function grantFor(principal: Principal, path: ReadPath): Grant {
  if (principal.kind === 'anonymous') return NOTHING;
  if (principal.kind === 'member') {
    return { all: false, tlps: TLPS.filter((t) => tlpAllows(MEMBER_SHARED_TLP, t)), commodities: null, types: INDICATOR_TYPES, ownMember: principal.member };
  }
  const rule = READ_PATHS[path];
  if (!rule.scopes.some((s) => principal.scopes.has(s))) return NOTHING;
  if (rule.auditorSeesAll && principal.scopes.has('provenance:read')) return EVERYTHING;
  return {
    all: false,
    tlps: TLPS.filter((t) => tlpAllows(principal.tlp, t)),
    commodities: principal.commodities === undefined ? null : COMMODITIES.filter((c) => principal.commodities!.has(c)),
    types: INDICATOR_TYPES.filter((t) => t !== 'SELLER' || principal.scopes.has('sellers:read')),
    ownMember: null,
  };
}

/** Whether the path is open to the principal at all (a path it has no grant on is refused, not empty). */
export function mayUse(principal: Principal, path: ReadPath): boolean {
  return principal.kind === 'member' || (principal.kind === 'agency' && READ_PATHS[path].scopes.some((s) => principal.scopes.has(s)));
}

export function maySee(grant: Grant, s: SightingFacts): boolean {
  if (grant.all) return true;
  if (!grant.types.includes(s.type)) return false;
  if (grant.ownMember !== null && s.member === grant.ownMember) return true;
  return grant.tlps.includes(s.tlp) && (grant.commodities === null || grant.commodities.includes(s.commodity));
}

/**
 * What entitlement depends on for one outcome, summarized once when it arrives from the sightings
 * it concerns (the member's live sightings of its indicator) by {@link outcomeFacts}.
 */
export interface OutcomeFacts {
  readonly member: string;
  readonly type: IndicatorType;
  /** The highest of the outcome batch's TLP and every concerned sighting's. */
  readonly tlp: Tlp;
  /** Every concerned sighting's commodity. */
  readonly commodities: readonly Commodity[];
}

/**
 * Summarizes the sightings an outcome concerns. Every grant's TLPs are a prefix of TLPS (a label
 * and all below it), so "every sighting visible at the higher of its TLP and the batch's" is the
 * same as "the highest of them visible", and every commodity visible: what {@link maySeeOutcome}
 * and the store's SQL test (test: outcome visibility follows its sighting, against an oracle).
 */
export function outcomeFacts(member: string, batchTlp: Tlp, concerns: ReadonlyArray<Pick<SightingFacts, 'tlp' | 'commodity' | 'type'>>): OutcomeFacts | undefined {
  const [first] = concerns;
  if (first === undefined) return undefined;
  const tlp = concerns.reduce((highest, s) => higherTlp(highest, s.tlp), batchTlp);
  return { member, type: first.type, tlp, commodities: [...new Set(concerns.map((s) => s.commodity))].sort() };
}

/** An outcome is as sensitive as the sightings it concerns: visible exactly when every one of them is. */
export function maySeeOutcome(grant: Grant, o: OutcomeFacts): boolean {
  return o.commodities.every((commodity) => maySee(grant, { member: o.member, tlp: o.tlp, type: o.type, commodity }));
}

/**
 * The items of one signed batch, as entitlement sees them: each published indicator at the
 * batch's TLP, and each sighting the batch retracts (a retraction tells that the member had
 * reported that indicator, so it is as sensitive as the sighting, at whichever TLP is higher).
 */
export interface BatchFacts {
  readonly member: string;
  readonly tlp: Tlp;
  readonly indicators: ReadonlyArray<{ readonly type: IndicatorType; readonly commodity: Commodity }>;
  readonly retracted: ReadonlyArray<{ readonly indicatorId: string; readonly type: IndicatorType; readonly commodity: Commodity; readonly tlp: Tlp }>;
  /** Each outcome item's facts by position (an outcome retraction: its outcome's); undefined is never shown. */
  readonly outcomes: ReadonlyArray<OutcomeFacts | undefined>;
}

/**
 * What a principal sees of a batch. The JWS is indivisible (its signature covers every item), so
 * it is shown `whole` only to a grant entitled to every item; otherwise the visible items are
 * shown by position (`partial`), with the batch's hash and log entry as their provenance.
 */
export type BatchView =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly indicators: readonly number[]; readonly retracted: readonly string[]; readonly outcomes: readonly number[] }
  | { readonly kind: 'none' };

export function batchView(grant: Grant, batch: BatchFacts): BatchView {
  const indicators = batch.indicators.flatMap((item, i) => (maySee(grant, { member: batch.member, tlp: batch.tlp, ...item }) ? [i] : []));
  const retractedSightings = batch.retracted.filter((r) => maySee(grant, { member: batch.member, tlp: higherTlp(batch.tlp, r.tlp), type: r.type, commodity: r.commodity }));
  // One indicator may have been retracted in several earlier batches: its retraction is shown only if every retracted sighting of it may be.
  const hiddenRetractions = new Set(batch.retracted.filter((r) => !retractedSightings.includes(r)).map((r) => r.indicatorId));
  const retracted = [...new Set(retractedSightings.map((r) => r.indicatorId))].filter((id) => !hiddenRetractions.has(id));
  const outcomes = batch.outcomes.flatMap((o, i) => (o !== undefined && maySeeOutcome(grant, o) ? [i] : []));
  if (indicators.length === batch.indicators.length && hiddenRetractions.size === 0 && outcomes.length === batch.outcomes.length) return { kind: 'whole' };
  if (indicators.length === 0 && retracted.length === 0 && outcomes.length === 0) return { kind: 'none' };
  return { kind: 'partial', indicators, retracted, outcomes };
}

/**
 * Whether a grant sees the whole of every batch of this TLP and member without looking at its
 * items (no commodity or type limit, and the TLP covered); undefined when only the items can tell.
 * Lets the feed skip reading items for members and auditors.
 */
export function wholeWithoutItems(grant: Grant, batch: { member: string; tlp: Tlp; hasRetractions: boolean; hasOutcomes: boolean }): boolean | undefined {
  if (grant.all) return true;
  const unlimited = grant.commodities === null && grant.types.length === INDICATOR_TYPES.length;
  // An outcome may concern a sighting of a higher TLP than its batch: only its facts can tell.
  if (!unlimited || batch.hasRetractions || batch.hasOutcomes) return undefined;
  return (grant.ownMember !== null && grant.ownMember === batch.member) || grant.tlps.includes(batch.tlp);
}

function higherTlp(a: Tlp, b: Tlp): Tlp {
  return tlpRank(a) >= tlpRank(b) ? a : b;
}

/** The grant as the store's SQL visibility, judged at `now` for expiry. */
export function grantVisibility(grant: Grant, now: Date): Visibility {
  if (grant.all) return { tlps: TLPS, commodities: null, types: INDICATOR_TYPES, ownMember: null, now };
  return { tlps: grant.tlps, commodities: grant.commodities, types: grant.types, ownMember: grant.ownMember, now };
}
