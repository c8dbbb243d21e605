import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Logger } from '../kernel/index.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './errors.js';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import { accessAuditPlugin } from './access-audit-plugin.js';

export interface GraphQLServerOptions {
  httpServer: Server;
  logger: Logger;
  version: string;
  /** Introspection is on in development (for explorers and codegen), off in production. */
  introspection: boolean;
  plugins?: Array<ApolloServerPlugin<GraphQLContext>>;
}

/**
 * Limits against query bombs: depth, aliases, cost, tokens. The numbers allow
 * every query an analyst writes by hand and the example queries in docs/.
 */
function armor(): ApolloArmor {
  return new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 15 },
    // The cost grows with `first`: a full page of 500 with a dozen fields must pass.
    costLimit: { maxCost: 60_000 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: true },
  });
}

/** The same limits for operations over graphql-ws (subscriptions), which bypass Apollo. */
export function armorRules(): ValidationRule[] {
  return [...armor().protect().validationRules] as ValidationRule[];
}

export function createGraphQLServer(options: GraphQLServerOptions & { schema: GraphQLSchema }): ApolloServer<GraphQLContext> {
  const protection = armor().protect();
  return new ApolloServer<GraphQLContext>({
    schema: options.schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // The hub owns shutdown (src/hub/hub.ts): Apollo must not re-raise SIGTERM and exit before the database closes.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(options.logger),
    validationRules: [...protection.validationRules],
    plugins: [
      ...(protection.plugins as Array<ApolloServerPlugin<GraphQLContext>>),
      accessAuditPlugin(),
      // Apollo's landing page loads its scripts from a CDN; browsers are sent to the console's explorer instead.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      ...(options.plugins ?? []),
    ],
  });
}
