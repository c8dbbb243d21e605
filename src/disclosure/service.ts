import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import type { RevocationLookup } from '../pki/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { currentAgencyKeys, registerAgencyKeys, type AgencyKeyRegistration } from './agency-key-store.js';
import { agencyKeySet } from './agency-keys.js';
import { fileRequest, type Filer, type FiledRequest, type SellerLookup } from './filing.js';
import { createMemberStepVerifier } from './member-step.js';
import { recordMemberStep, routedTo, type RoutedRequest, type StepReceipt } from './member-steps.js';
import { disclosureVolume, listRequests, requestOf, retrieveAnswers, type AnswerView, type RequestFilter, type RequestView } from './views.js';

export interface DisclosureServiceDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  /** DER of the federation roots: member records must chain to them. */
  readonly roots: readonly Uint8Array[];
  readonly revocations: { readonly lookup: RevocationLookup; refresh(): Promise<void> };
  /** The longest a request stays open, in days (DISCLOSURE_TTL_DAYS). */
  readonly ttlDays: number;
}

/** The hub's side of lawful re-identification requests (docs/disclosure.md). */
export function createDisclosureService(deps: DisclosureServiceDeps) {
  const steps = createMemberStepVerifier({ roots: deps.roots, isRevoked: deps.revocations.lookup });
  const memberDeps = { db: deps.db, log: deps.log, clock: deps.clock, steps, refreshRevocations: () => deps.revocations.refresh() };
  return {
    /** Operator: an agency's encryption and signing keys (file contents), logged as an `agency` entry. */
    async registerAgencyKeys(agency: string, encryptionKey: string, signingKey?: string): Promise<AgencyKeyRegistration> {
      return registerAgencyKeys(deps, agency, await agencyKeySet(encryptionKey, signingKey));
    },
    currentAgencyKeys: (agency: string) => currentAgencyKeys(deps.db, agency),
    file: (requestJws: string, filer: Filer, lookup: SellerLookup): Promise<FiledRequest> => fileRequest({ ...deps, ttlMs: deps.ttlDays * 86_400_000 }, requestJws, filer, lookup),
    routedTo: (member: string): Promise<RoutedRequest[]> => routedTo(deps, member),
    recordMemberStep: (member: string, requestId: string, jws: string): Promise<StepReceipt> => recordMemberStep(memberDeps, member, requestId, jws),
    list: (filter: RequestFilter, page: { first: number; after?: string | null | undefined }) => listRequests(deps.db, filter, page),
    request: (agency: string, requestId: string): Promise<RequestView> => requestOf(deps.db, agency, requestId),
    retrieveAnswers: (filer: Filer, requestId: string): Promise<AnswerView[]> => retrieveAnswers(deps, filer, requestId),
    volume: (range: { from?: Date | null; to?: Date | null }) => disclosureVolume(deps.db, deps.clock.now(), range),
  };
}

export type DisclosureService = ReturnType<typeof createDisclosureService>;
