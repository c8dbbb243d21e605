/**
 * The node's side of outcomes (issue #22): the platform records what it did about what it
 * reported; the node maps it to the pseudonymous indicators it published and queues outcome items.
 */
export { createOutcomeService, listOutcomes } from './outcome-service.js';
export type { OutcomeService, OutcomeServiceDeps, OutcomeRecorded, OutcomeView } from './outcome-service.js';
export { createNodeOutcomeRoutes } from './outcome-routes.js';
export { storeFeedOutcomes, readActedElsewhere } from './acted-elsewhere.js';
export type { ActedElsewhere } from './acted-elsewhere.js';
export { MAX_OUTCOMES_PER_REQUEST } from './outcome-request.js';
