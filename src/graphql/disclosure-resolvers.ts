import { AuthError } from '../auth/index.js';
import { cursorOf, jwsPayload, type Filer, type RequestView, type SellerLookup } from '../disclosure/index.js';
import { findIndicator } from '../indicators/index.js';
import type { GraphQLContext } from './context.js';
import type { DisclosureStep, Resolvers } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

/** The analyst filing or reading, from its token (the directive already required disclosure:request). */
function filerOf(ctx: GraphQLContext): Filer {
  const p = ctx.principal;
  if (p.kind !== 'agency') throw new AuthError('FORBIDDEN', 'disclosure requests need an agency token');
  return { agency: p.agency, analyst: p.sub, tokenId: p.jti };
}

/** The seller as the caller's token sees it: the hub's one visibility decision, nothing of our own. */
function sellerLookup(ctx: GraphQLContext): SellerLookup {
  // A request names a seller: the seller path's grant (sellers:read) decides whether the token sees it.
  const visibility = visibilityOf(ctx, 'seller');
  return async (id) => {
    const record = await findIndicator(ctx.db, id, visibility);
    return record === null ? null : { type: record.type, value: record.value, members: record.members };
  };
}

function connection(page: { requests: RequestView[]; hasNextPage: boolean }) {
  return { requests: page.requests, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.requests.length > 0 ? cursorOf(page.requests.at(-1)!) : null } };
}

export const disclosureResolvers: Resolvers = {
  Query: {
    disclosureRequests: async (_root, { caseId, first, after }, ctx) => connection(await ctx.services.disclosures.list({ agency: filerOf(ctx).agency, caseId: caseId ?? null }, { first, after: after ?? null })),
    disclosureAnswers: (_root, { requestId }, ctx) => ctx.services.disclosures.retrieveAnswers(filerOf(ctx), requestId),
    disclosures: async (_root, { filter, first, after }, ctx) => connection(await ctx.services.disclosures.list(filter ?? {}, { first, after: after ?? null })),
    disclosureVolume: (_root, { from, to }, ctx) => ctx.services.disclosures.volume({ from: from ?? null, to: to ?? null }),
  },
  Mutation: {
    fileDisclosureRequest: async (_root, { request }, ctx) => {
      const filer = filerOf(ctx);
      const filed = await ctx.services.disclosures.file(request, filer, sellerLookup(ctx));
      return { request: await ctx.services.disclosures.request(filer.agency, filed.requestId), duplicate: filed.duplicate };
    },
  },
  DisclosureRequest: {
    id: (r) => r.requestId,
    expired: (r, _args, ctx) => r.expiresAt.getTime() <= ctx.clock.now().getTime(),
    records: (r) => [...r.steps],
    routes: (r) =>
      r.routes.map((route) => {
        const declined = r.steps.find((s) => s.step === 'declined' && s.member === route.member);
        const payload = declined === undefined ? undefined : (jwsPayload(declined.record) as { reason?: string; note?: string });
        return { member: route.member, state: route.state, declineReason: payload?.reason ?? null, declineNote: payload?.note ?? null };
      }),
  },
  DisclosureRecord: {
    step: (s) => s.step.toUpperCase() as DisclosureStep,
  },
  AgencyKeys: {
    encryptionKid: (k) => k.keys.keys[0].kid,
    signingKid: (k) => k.keys.keys[1].kid,
  },
};
