import { listAccessDigests, listAccessRecords } from '../auth/index.js';
import type { Resolvers } from './generated/schema-types.js';

export const accessResolvers: Resolvers = {
  Query: {
    accessLog: async (_root, { filter, first, after }, ctx) => {
      const page = await listAccessRecords(ctx.db, filter ?? {}, { first, after: after ?? null });
      return { records: page.records, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.records.at(-1) ? String(page.records.at(-1)!.id) : null } };
    },
    accessDigests: (_root, { agency, from, to }, ctx) => listAccessDigests(ctx.db, { agency: agency ?? null, from: from ?? null, to: to ?? null }),
  },
  AccessRecord: {
    id: (r) => String(r.id),
    tokenId: (r) => r.jti,
  },
};
