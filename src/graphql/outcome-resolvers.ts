import { readOutcomeFigures } from '../outcomes/index.js';
import type { Resolvers } from './generated/schema-types.js';
import { visibilityOf } from './principal.js';

/** What the outcomes tell (schema/outcomes.graphql), under the stats path's grant. */
export const outcomeResolvers: Resolvers = {
  Query: {
    outcomeFigures: async (_root, { from, to, commodity }, ctx) => readOutcomeFigures(await ctx.reads(), { from, to, commodity: commodity ?? null }, visibilityOf(ctx, 'stats')),
  },
};
