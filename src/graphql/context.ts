import type { DataSource } from 'typeorm';
import type { AccessRecordInput, Principal } from '../auth/index.js';
import type { OpinionService } from '../feedback/index.js';
import type { DisclosureService } from '../disclosure/index.js';
import type { ReferralAnnouncement, ReferralService } from '../referrals/index.js';
import type { IngestService } from '../ingest/index.js';
import type { QuarantineService, WarninglistService } from '../guards/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import type { KeywordHit, PdqMatch } from '../matching/index.js';
import type { MemberView } from '../pki/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import type { BatchEvents, Events } from './indicator-events.js';

/** The in-memory matching indexes, kept current by the hub. */
export interface Matcher {
  matchImage(hex: string, maxDistance: number): Promise<PdqMatch[]>;
  matchText(text: string): Promise<KeywordHit[]>;
}

/** The domain services resolvers reach, built once per process by the hub. */
export interface GraphQLServices {
  readonly ingest: IngestService;
  readonly log: TransparencyLog;
  readonly opinions: OpinionService;
  readonly matcher: Matcher;
  readonly members: { list(): Promise<MemberView[]> };
  readonly events: BatchEvents;
  readonly disclosures: DisclosureService;
  /** Referrals from members to agencies (src/referrals). */
  readonly referrals: ReferralService;
  /** Referrals as they are filed, for the receiving agency's live alerts. */
  readonly referralEvents: Events<ReferralAnnouncement>;
  /** The warninglists in effect: served, and applied to matchText. */
  readonly warninglists: Pick<WarninglistService, 'inEffect' | 'compiled'>;
  /** Flood quarantine: held indicators are held back from matchText; standing hits feed the rates. */
  readonly quarantine: Pick<QuarantineService, 'held' | 'observe' | 'rate' | 'decide'>;
  /** The hub's public origin (HUB_ORIGIN), named in evidence packages. */
  readonly hubOrigin: string;
  /** Stores an access record before the answer is released (group commit). */
  recordAccess(record: AccessRecordInput): Promise<void>;
}

/** Built once per request (or per subscription) by the hub; resolvers reach the domain only through it. */
export interface GraphQLContext {
  /** The primary: writes, transactions, the access audit, subscriptions' reads. */
  readonly db: DataSource;
  /**
   * The read-only query path's connections (indicators, seller, stats, matches, provenance): the
   * replica once it has everything committed before this request, else the primary. Decided on
   * first use, once per request (src/db/read-routing.ts).
   */
  reads(): Promise<DataSource>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestId: string;
  readonly services: GraphQLServices;
  /** Who is asking, authenticated before the request runs; the token itself is not kept. */
  readonly principal: Principal;
  /** Over graphql-ws: the connection, which outlives the moment its token was checked. */
  readonly session?: Session;
}

/** A long-lived connection's hold on its token: `live()` is false (and the connection closing) once the token expired or was revoked. */
export interface Session {
  live(): Promise<boolean>;
}
