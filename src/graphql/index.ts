export { createGraphQLServer } from './apollo.js';
export type { GraphQLServerOptions } from './apollo.js';
export type { GraphQLContext } from './context.js';
