import { AuthError } from '../auth/index.js';
import { assembleEvidence } from '../evidence/index.js';
import type { Resolvers } from './generated/schema-types.js';
import { grantOf, visibilityOf } from './principal.js';

export const evidenceResolvers: Resolvers = {
  Query: {
    evidence: async (_root, { caseId, indicatorIds }, ctx) => {
      const p = ctx.principal;
      if (p.kind !== 'agency') throw new AuthError('FORBIDDEN', 'evidence packages need an agency token');
      const deps = { db: ctx.db, log: ctx.services.log, disclosures: ctx.services.disclosures, hub: ctx.services.hubOrigin, now: ctx.clock.now() };
      const pkg = await assembleEvidence(deps, { agency: p.agency, visibility: visibilityOf(ctx, 'indicators'), grant: grantOf(ctx, 'provenance') }, caseId, indicatorIds ?? []);
      return { caseId, document: JSON.stringify(pkg), requests: pkg.disclosures.length, indicators: pkg.indicators.length, treeSize: pkg.treeSize };
    },
  },
};
