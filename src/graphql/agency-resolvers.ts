import { findIndicators, indicatorStats, sellerProfile, type LinkedIndicator } from '../indicators/index.js';
import type { Principal } from '../auth/index.js';
import { MatchingError } from '../matching/index.js';
import type { Resolvers, Scope as SchemaScope } from './generated/schema-types.js';
import { screenHits } from './guard-resolvers.js';
import { visibilityOf } from './principal.js';

/** matchImage's radius is bounded: beyond 64 bits nearly everything matches and the answer is noise. */
const MAX_IMAGE_DISTANCE = 64;
/** Bounds on what one match call returns (nearest or first in text order). */
const MAX_MATCHES = 500;
const MAX_TEXT_LENGTH = 100_000;

const byType = (linked: LinkedIndicator[], types: string[]): LinkedIndicator[] => linked.filter((l) => types.includes(l.indicator.type));

function schemaScope(scope: string): SchemaScope {
  return scope.replace(':', '_').toUpperCase() as SchemaScope;
}

export const agencyResolvers: Resolvers = {
  Query: {
    seller: async (_root, { fingerprint }, ctx) => {
      const profile = await sellerProfile(await ctx.reads(), fingerprint, visibilityOf(ctx, 'seller'));
      return profile === null ? null : { ...profile, fingerprint };
    },
    matchImage: async (_root, { pdq, maxDistance }, ctx) => {
      const radius = maxDistance ?? 31;
      if (!Number.isInteger(radius) || radius < 0 || radius > MAX_IMAGE_DISTANCE) {
        throw new MatchingError('INVALID_MAX_DISTANCE', `maxDistance must be an integer from 0 to ${MAX_IMAGE_DISTANCE}`, { details: { maxDistance: radius } });
      }
      const hits = await ctx.services.matcher.matchImage(pdq.toLowerCase(), radius);
      const records = await findIndicators(await ctx.reads(), hits.map((h) => h.id), visibilityOf(ctx, 'matchImage'));
      const byId = new Map(records.map((r) => [r.id, r]));
      return hits.flatMap((h) => (byId.has(h.id) ? [{ distance: h.distance, indicator: byId.get(h.id)! }] : [])).slice(0, MAX_MATCHES);
    },
    matchText: async (_root, { text, withSuppressed }, ctx) => {
      if (text.length > MAX_TEXT_LENGTH) throw new MatchingError('INVALID_KEYWORD', `text may have at most ${MAX_TEXT_LENGTH} characters`);
      const found = await ctx.services.matcher.matchText(text);
      const records = await findIndicators(await ctx.reads(), [...new Set(found.map((h) => h.id))], visibilityOf(ctx, 'matchText'));
      const byId = new Map(records.map((r) => [r.id, r]));
      const disputed = new Set(records.filter((r) => r.status === 'DISPUTED').map((r) => r.id));
      const hits = (await screenHits(ctx, text, found, disputed)).filter((h) => withSuppressed === true || h.suppressedBy === null);
      return hits
        .flatMap((h) => (byId.has(h.id) ? [{ indicator: byId.get(h.id)!, start: h.start, end: h.end, matched: text.slice(h.start, h.end), suppressedBy: h.suppressedBy }] : []))
        .slice(0, MAX_MATCHES);
    },
    stats: async (_root, { from, to, bucket, groupBy }, ctx) => indicatorStats(await ctx.reads(), { from, to, bucket: bucket ?? 'DAY', groupBy: groupBy ?? 'COMMODITY' }, visibilityOf(ctx, 'stats')),
    members: async (_root, _args, ctx) => (await ctx.services.members.list()).map((m) => ({ slug: m.slug, name: m.name, status: m.status, enrolledAt: m.enrolledAt })),
    me: (_root, _args, ctx) => ctx.principal,
  },
  SellerProfile: {
    keywords: (p) => byType(p.linked, ['KEYWORD']),
    images: (p) => byType(p.linked, ['IMAGE_PDQ', 'IMAGE_SHA256']),
    sellers: (p) => byType(p.linked, ['SELLER']),
  },
  // Deprecated: kept for clients written before links came from listings (docs/agency-api.md).
  LinkedIndicator: { sharedBatches: (l) => l.listings },
  Me: {
    kind: (p: Principal) => (p.kind === 'agency' ? 'AGENCY' : p.kind === 'member' ? 'MEMBER' : 'ANONYMOUS'),
    agency: (p) => (p.kind === 'agency' ? p.agency : null),
    member: (p) => (p.kind === 'member' ? p.member : null),
    subject: (p) => (p.kind === 'agency' ? p.sub : null),
    scopes: (p) => (p.kind === 'agency' ? [...p.scopes].map(schemaScope) : []),
    tlp: (p) => (p.kind === 'agency' ? p.tlp : null),
    commodities: (p) => (p.kind === 'agency' && p.commodities !== undefined ? [...p.commodities] : null),
    tokenId: (p) => (p.kind === 'agency' ? p.jti : null),
    expiresAt: (p) => (p.kind === 'agency' ? new Date(p.exp * 1000) : null),
  },
};
