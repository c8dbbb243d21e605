import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { DateTimeScalar } from './date-time.js';
import { indicatorResolvers } from './indicator-resolvers.js';
import { ingestResolvers } from './ingest-resolvers.js';
import { logResolvers } from './log-resolvers.js';
import { provenanceResolvers } from './provenance-resolvers.js';
import { agencyResolvers } from './agency-resolvers.js';
import { accessResolvers } from './access-resolvers.js';
import { subscriptionResolvers } from './subscription-resolvers.js';
import { watchlistResolvers } from './watchlist-resolvers.js';
import { analysisResolvers } from './analysis-resolvers.js';
import { disclosureResolvers } from './disclosure-resolvers.js';
import { referralResolvers } from './referral-resolvers.js';
import { evidenceResolvers } from './evidence-resolvers.js';
import { outcomeResolvers } from './outcome-resolvers.js';
import { guardResolvers } from './guard-resolvers.js';
import { applyAuthorization } from './authorization.js';
import { conformToOctober2021 } from './spec-conformance.js';
import type { Resolvers } from './generated/schema-types.js';

const SCHEMA_DIR = path.resolve(import.meta.dirname, '../../schema');

/** The SDL in schema/ is the contract; this only concatenates it, in file-name order. */
export function loadTypeDefs(dir: string = SCHEMA_DIR): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

export function buildSchema(version: string): GraphQLSchema {
  const base: Resolvers = {
    DateTime: DateTimeScalar,
    Query: { hubInfo: (_root, _args, ctx) => ({ version, now: ctx.clock.now() }) },
  };
  const resolvers = [base, indicatorResolvers, ingestResolvers, logResolvers, provenanceResolvers, agencyResolvers, accessResolvers, subscriptionResolvers, watchlistResolvers, analysisResolvers, disclosureResolvers, evidenceResolvers, outcomeResolvers, guardResolvers, referralResolvers];
  return conformToOctober2021(applyAuthorization(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers })));
}
