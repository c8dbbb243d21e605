export { startHub } from './hub.js';
export type { RunningHub, HubDeps } from './hub.js';
export { runOperation, registerOperation } from './operations.js';
export type { Operation, OperationContext } from './operations.js';
export { createHubServices } from './services.js';
export type { HubServices } from './services.js';
export { loadHubTrust, createLogKey, readLogKey } from './trust.js';
export type { HubTrust } from './trust.js';
export type { HttpRoute } from './route-list.js';
