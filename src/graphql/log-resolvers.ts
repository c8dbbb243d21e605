import { parseCheckpoint } from '../tlog/index.js';
import type { Resolvers } from './generated/schema-types.js';

export const logResolvers: Resolvers = {
  Query: {
    checkpoint: async (_root, _args, ctx) => {
      const { note } = await ctx.services.log.latestCheckpoint(ctx.db);
      const body = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
      return { origin: body.origin, size: body.size, rootHash: Buffer.from(body.root).toString('base64'), note, verifierKey: ctx.services.log.verifierKey };
    },
  },
};
