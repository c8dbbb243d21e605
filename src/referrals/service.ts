import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import type { RevocationLookup } from '../pki/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { competenceOf, receivingAgencies, setCompetence, type Competence, type ReceivingAgencyView } from './competence.js';
import { fileReferral, type FiledReferral } from './filing.js';
import { createReferralVerifier } from './member-referral.js';
import { takeStep, type Actor, type AgencyStep } from './steps.js';
import { inbox, memberReferrals, referralCounts, referralFor, type InboxFilter, type ReferralCounts, type ReferralView } from './views.js';

export interface ReferralServiceDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  /** DER of the federation roots: referrals must be signed by a member certificate chaining to them. */
  readonly roots: readonly Uint8Array[];
  readonly revocations: { readonly lookup: RevocationLookup; refresh(): Promise<void> };
  /** Hours an agency has to acknowledge a referral before it is overdue (REFERRAL_ACK_HOURS). */
  readonly ackWithinHours: number;
  /** Told of each referral filed (not of a duplicate), after its transaction committed: live alerts. */
  readonly onFiled?: (filed: { readonly referralId: string; readonly agency: string }) => void;
}

/** A referral announced to the receiving agency's live subscriptions. */
export interface ReferralAnnouncement {
  readonly referralId: string;
  readonly agency: string;
}

/** The hub's side of referrals from members to agencies (docs/agency-api.md "Referrals"). */
export function createReferralService(deps: ReferralServiceDeps) {
  const verifier = createReferralVerifier({ roots: deps.roots, isRevoked: deps.revocations.lookup });
  const ackWithinMs = deps.ackWithinHours * 3_600_000;
  const now = (): Date => deps.clock.now();
  return {
    ackWithinMs,
    setCompetence: (agency: string, input: { commodities: readonly string[]; jurisdictions: readonly string[] }): Promise<Competence> => setCompetence(deps.db, agency, input),
    competence: (agency: string): Promise<Competence> => competenceOf(deps.db, agency),
    /** For a member node about to file: who receives it, with the keys its evidence is encrypted to. */
    receivingAgencies: (target: { commodity: string; place: string; agency?: string | null }): Promise<ReceivingAgencyView[]> => receivingAgencies(deps.db, target),
    async file(member: string, record: string): Promise<FiledReferral> {
      const filed = await fileReferral({ db: deps.db, log: deps.log, clock: deps.clock, verifier, refreshRevocations: () => deps.revocations.refresh() }, member, record);
      if (!filed.duplicate) deps.onFiled?.({ referralId: filed.referralId, agency: filed.agency });
      return filed;
    },
    step: (actor: Actor, referralId: string, step: AgencyStep): Promise<number> => takeStep(deps, actor, referralId, step),
    inbox: (agency: string, filter: InboxFilter, page: { first: number; after?: string | null }) => inbox(deps.db, agency, filter, page, now(), ackWithinMs),
    forAgency: (agency: string, referralId: string): Promise<ReferralView> => referralFor(deps.db, { agency }, referralId, now(), ackWithinMs),
    forMember: (member: string, referralId: string): Promise<ReferralView> => referralFor(deps.db, { member }, referralId, now(), ackWithinMs),
    ofMember: (member: string, first: number): Promise<ReferralView[]> => memberReferrals(deps.db, member, first, now(), ackWithinMs),
    counts: (agency: string | null): Promise<ReferralCounts> => referralCounts(deps.db, agency, now(), ackWithinMs),
  };
}

export type ReferralService = ReturnType<typeof createReferralService>;
