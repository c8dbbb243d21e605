/**
 * PKI of the federation: the root CA, member enrolment (CSR → certificate) and chain verification
 * "as of" a time. Pure apart from `writePrivateKeyFile`; time is always passed in.
 */
export { createRootCa, signMemberCsr, MAX_MEMBER_VALIDITY_DAYS } from './ca.js';
export type { CaMaterial } from './ca.js';
export { createMemberKeyAndCsr } from './csr.js';
export type { MemberKeyAndCsr } from './csr.js';
export { parseCertificate, certFingerprint, KEY_USAGES } from './certificate.js';
export type { ParsedCertificate, KeyUsage } from './certificate.js';
export { createChainVerifier, verifyChain, MAX_CHAIN_LENGTH } from './chain.js';
export type { ChainVerifier, ChainCheck, VerifiedChain, RevocationLookup } from './chain.js';
export { isMemberSlug, assertMemberSlug, memberDnsName, MEMBER_DNS_SUFFIX } from './member-slug.js';
export { pemToDerCertificates, derToPem } from './pem.js';
export { writePrivateKeyFile } from './files.js';
export { PkiError } from './errors.js';
export type { PkiErrorCode } from './errors.js';
export { createMemberRegistry, MemberRegistryError } from './member-registry.js';
export type { MemberRegistry, MemberView, MemberCertificateView, MemberRegistryErrorCode } from './member-registry.js';
export { vouchesFor, memberStatus } from './revocation-rule.js';
export type { RecordedRevocation } from './revocation-rule.js';
export { MEMBER_SIGNING_EKU } from './member-eku.js';
