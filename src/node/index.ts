/**
 * The member node: what a platform runs inside its own network to turn raw observations into
 * signed, anonymized indicators, publish them reliably, audit the hub, and screen listings
 * against the federation's feed locally. Everything other contexts (the CLI) may use is here.
 */
export { startNode, openNodeDatabase, createObservationIntake } from './node.js';
export { nodeSocketPath } from '../config/index.js';
export type { NodeDeps, RunningNode } from './node.js';
export { loadNodeSettings, vaultKeyFile, apiKeysFile } from './settings.js';
export { modelFiles } from '../config/index.js';
export type { NodeSettings } from './settings.js';
export { readNodeStatus } from './status.js';
export type { NodeStatus } from './status.js';
export { parseObservation, parseObservations, MAX_OBSERVATIONS } from './observation.js';
export type { Observation, ImageSource } from './observation.js';
export type { IndicatorMade, RetractionDone, ObservationService } from './observation-service.js';
export { newPseudonymKeyFile, parsePseudonymKeys } from './pseudonym-keys.js';
export { newApiKey } from './api-keys.js';
export { revealPseudonym } from './vault.js';
export { NodeError, NODE_ERROR_STATUS } from './errors.js';
export type { NodeErrorCode } from './errors.js';
export { listDisclosures } from './disclosure-decisions.js';
export type { NodeDisclosureView, DecisionResult } from './disclosure-decisions.js';
