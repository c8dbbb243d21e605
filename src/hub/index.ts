export { startHub } from './hub.js';
export type { RunningHub, HubDeps } from './hub.js';
export { adminSocketPath } from './admin-socket.js';
export { runOperation, registerOperation } from './operations.js';
export type { Operation, OperationContext } from './operations.js';
export { VERSION } from './version.js';
