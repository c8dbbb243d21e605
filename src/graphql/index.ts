export { createGraphQLServer } from './apollo.js';
export type { GraphQLServerOptions } from './apollo.js';
export type { GraphQLContext } from './context.js';
export type { GraphQLServices, Matcher } from './context.js';
export { contextError, createErrorFormatter } from './errors.js';
export { createBatchEvents } from './indicator-events.js';
export type { BatchEvents, BatchAnnouncement } from './indicator-events.js';
export { buildSchema } from './schema.js';
export { armorRules } from './apollo.js';
