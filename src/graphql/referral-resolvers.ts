import { AuthError } from '../auth/index.js';
import type { Actor, AgencyStep, ReferralView } from '../referrals/index.js';
import type { GraphQLContext } from './context.js';
import type { ReferralState, Resolvers } from './generated/schema-types.js';

/** The agency analyst acting, from its token (the directive already required the scope). */
function actorOf(ctx: GraphQLContext, field: string): Actor {
  const p = ctx.principal;
  if (p.kind !== 'agency') throw new AuthError('FORBIDDEN', `${field} needs an agency token`, { details: { field } });
  return { agency: p.agency, analyst: p.sub, tokenId: p.jti };
}

/** The member node calling (a member request token); an agency token is refused. */
function memberOf(ctx: GraphQLContext, field: string): string {
  const p = ctx.principal;
  if (p.kind !== 'member') throw new AuthError('FORBIDDEN', `${field} is for member nodes (a member request token): agencies read their inbox (referralInbox)`, { details: { field } });
  return p.member;
}

const upper = (state: string): ReferralState => state.toUpperCase() as ReferralState;

async function step(ctx: GraphQLContext, field: string, id: string, input: AgencyStep): Promise<ReferralView> {
  const actor = actorOf(ctx, field);
  await ctx.services.referrals.step(actor, id, input);
  return ctx.services.referrals.forAgency(actor.agency, id);
}

export const referralResolvers: Resolvers = {
  Query: {
    referralInbox: async (_root, { filter, first, after }, ctx) => {
      const page = await ctx.services.referrals.inbox(actorOf(ctx, 'referralInbox').agency, { state: filter?.state ? (filter.state.toLowerCase() as never) : null, overdue: filter?.overdue ?? null }, { first, after: after ?? null });
      return { referrals: page.referrals, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.referrals.at(-1)?.referralId ?? null } };
    },
    referral: (_root, { id }, ctx) => (ctx.principal.kind === 'member' ? ctx.services.referrals.forMember(ctx.principal.member, id) : ctx.services.referrals.forAgency(actorOf(ctx, 'referral').agency, id)),
    referralStats: async (_root, _args, ctx) => ({ ...(await ctx.services.referrals.counts(actorOf(ctx, 'referralStats').agency)), ackWithinHours: ctx.services.referrals.ackWithinMs / 3_600_000 }),
    referralCompetence: (_root, _args, ctx) => ctx.services.referrals.competence(actorOf(ctx, 'referralCompetence').agency),
    referralAgencies: (_root, { commodity, place, agency }, ctx) => {
      memberOf(ctx, 'referralAgencies');
      return ctx.services.referrals.receivingAgencies({ commodity, place, agency: agency ?? null });
    },
    memberReferrals: (_root, { first }, ctx) => ctx.services.referrals.ofMember(memberOf(ctx, 'memberReferrals'), first),
  },
  Mutation: {
    fileReferral: async (_root, { record }, ctx) => {
      const member = memberOf(ctx, 'fileReferral');
      const filed = await ctx.services.referrals.file(member, record);
      return { referral: await ctx.services.referrals.forMember(member, filed.referralId), duplicate: filed.duplicate, leafIndex: filed.leafIndex };
    },
    setReferralCompetence: (_root, { commodities, jurisdictions }, ctx) => ctx.services.referrals.setCompetence(actorOf(ctx, 'setReferralCompetence').agency, { commodities, jurisdictions }),
    acknowledgeReferral: (_root, { id }, ctx) => step(ctx, 'acknowledgeReferral', id, { step: 'acknowledged' }),
    acceptReferral: (_root, { id }, ctx) => step(ctx, 'acceptReferral', id, { step: 'accepted' }),
    declineReferral: (_root, { id, reason }, ctx) => step(ctx, 'declineReferral', id, { step: 'declined', reason }),
    closeReferral: (_root, { id, result, note }, ctx) => step(ctx, 'closeReferral', id, { step: 'closed', result, note: note ?? null }),
  },
  Subscription: {
    referralFiled: {
      // Only the receiving agency's referrals, read as that agency reads them; nothing once the session's token is no longer live.
      subscribe: (_root, _args, ctx) => {
        const { agency } = actorOf(ctx, 'referralFiled');
        return ctx.services.referralEvents.subscribe(async (filed) => {
          if (filed.agency !== agency) return [];
          if (ctx.session !== undefined && !(await ctx.session.live())) return [];
          return [{ referralFiled: await ctx.services.referrals.forAgency(agency, filed.referralId) }];
        });
      },
    },
  },
  Referral: {
    id: (r) => r.referralId,
    state: (r) => upper(r.state),
    records: (r) => [...r.steps],
  },
  ReferralRecord: {
    step: (s) => upper(s.step),
  },
  ReferralAgency: {
    jwks: (a) => a.keys?.jwks ?? null,
    keysSha256: (a) => a.keys?.keysSha256 ?? null,
    keysLeafIndex: (a) => a.keys?.leafIndex ?? null,
  },
};
