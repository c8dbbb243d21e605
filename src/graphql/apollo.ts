import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Logger } from '../kernel/index.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './errors.js';
import type { GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import { accessAuditPlugin } from './access-audit-plugin.js';
import { UnsafeTextRule } from './input-safety.js';
import { httpOperationsPlugin } from './http-operations.js';
import { errorLogPlugin } from './error-log-plugin.js';

/** At most this many tokens in a document (names, punctuation, values), enforced by graphql's own parser. */
export const MAX_TOKENS = 2000;

/**
 * Parse options for every document the hub parses. The token limit lives in the parser, not in
 * graphql-armor's plugin: armor re-parses the document in `parsingDidStart`, where anything it
 * throws (any syntax error, not only the limit) becomes an HTTP 500; a parser error is Apollo's
 * GRAPHQL_PARSE_FAILED, 400.
 */
export const PARSE_OPTIONS: ParseOptions = Object.freeze({ maxTokens: MAX_TOKENS });

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
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    // Suggestions are removed from every message by the error formatter (withoutSuggestions).
    blockFieldSuggestion: { enabled: false },
  });
}

/** The validation rules beside graphql's own, for HTTP and for graphql-ws (which bypasses Apollo) alike. */
export function protectionRules(): ValidationRule[] {
  return [...(armor().protect().validationRules as ValidationRule[]), UnsafeTextRule];
}

export function createGraphQLServer(options: GraphQLServerOptions & { schema: GraphQLSchema }): ApolloServer<GraphQLContext> {
  const protection = armor().protect();
  return new ApolloServer<GraphQLContext>({
    schema: options.schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // The hub owns shutdown (src/hub/hub.ts): Apollo must not re-raise SIGTERM and exit before the database closes.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(options.logger, { logUnexpected: false }),
    parseOptions: PARSE_OPTIONS,
    validationRules: protectionRules(),
    plugins: [
      ...(protection.plugins as Array<ApolloServerPlugin<GraphQLContext>>),
      httpOperationsPlugin(),
      errorLogPlugin(),
      accessAuditPlugin(),
      // Apollo's landing page loads its scripts from a CDN; browsers are sent to the console's explorer instead.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      ...(options.plugins ?? []),
    ],
  });
}
