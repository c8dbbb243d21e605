import type { Resolvers } from './generated/schema-types.js';

export const ingestResolvers: Resolvers = {
  Mutation: {
    publishBatch: async (_root, { jws }, ctx) => {
      const receipt = await ctx.services.ingest.accept(jws);
      return { ...receipt, indicatorIds: [...receipt.indicatorIds] };
    },
  },
};
