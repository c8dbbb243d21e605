/**
 * Lawful re-identification requests (docs/disclosure.md): the records of each step and their
 * signatures, the agency's keys, the encryption of answers to the agency, and the hub's side
 * (filing, routing, member steps, reading). The member node's side lives in src/node and uses
 * the formats from here.
 */
export * from './formats/index.js';
export { createDisclosureService } from './service.js';
export { currentAgencyKeys } from './agency-key-store.js';
export type { DisclosureService, DisclosureServiceDeps } from './service.js';
export type { AgencyKeyRegistration } from './agency-key-store.js';
export type { Filer, FiledRequest, SellerLookup } from './filing.js';
export type { RoutedRequest, StepReceipt } from './member-steps.js';
export type { RequestView, StepView, AnswerView, RequestFilter } from './views.js';
export { cursorOf, MAX_REQUEST_PAGE } from './views.js';
export { createDisclosureRoutes } from './member-routes.js';
export type { DisclosureRouteDeps } from './member-routes.js';
