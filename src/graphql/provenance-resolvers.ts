import { provenanceOf } from '../ingest/index.js';
import type { Resolvers } from './generated/schema-types.js';
import { grantOf } from './principal.js';

export const provenanceResolvers: Resolvers = {
  Query: {
    provenance: async (_root, { indicatorId }, ctx) => provenanceOf({ db: await ctx.reads(), log: ctx.services.log }, grantOf(ctx, 'provenance'), indicatorId),
  },
};
