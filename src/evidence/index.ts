/**
 * Evidence packages for a case (docs/disclosure.md): built at the hub for the requesting agency,
 * completed with decrypted answers by the key holder, checked offline by anyone.
 */
export { EVIDENCE_FORMAT, parseEvidencePackage } from './format.js';
export type { EvidencePackage } from './format.js';
export { EvidenceError } from './errors.js';
export type { EvidenceErrorCode } from './errors.js';
export { assembleEvidence } from './assemble.js';
export type { EvidenceCaller, AssembleDeps } from './assemble.js';
export { withDecryptedAnswers } from './answers.js';
export { verifyEvidence } from './verify.js';
export type { EvidenceReport, Statement, VerifyOptions } from './verify.js';
export { summarize } from './summary.js';
