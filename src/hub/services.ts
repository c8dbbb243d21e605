import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import { createIngestService, createRevocationList, type IngestService, type RevocationList } from '../ingest/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import { createMemberRegistry, type MemberRegistry } from '../pki/index.js';
import { createBatchVerifier, createMemberRequestVerifier, type MemberRequestVerifier } from '../provenance/index.js';
import { createDatabaseJtiStore } from './jti-store.js';
import { createAccessRecorder, createRateLimiter, createSharedRateLimiter, createTokenService, EXPORT_RATE_KEY_PREFIX, withKeyPrefix, type AccessRecorder, type RateLimiter, type RateLimits, type TokenService } from '../auth/index.js';
import { createOpinionService, type OpinionService } from '../feedback/index.js';
import { createDisclosureService, type DisclosureService } from '../disclosure/index.js';
import { createReferralService, type ReferralAnnouncement, type ReferralService } from '../referrals/index.js';
import { createQuarantineService, createWarninglistService, type QuarantineService, type WarninglistService } from '../guards/index.js';
import { createMatchIndexes, type MatchIndexes } from './match-indexes.js';
import { systemRandom } from '../kernel/index.js';
import { createTransparencyLog, type TransparencyLog } from '../tlog/index.js';
import { loadHubTrust, type HubTrust } from './trust.js';
import type { HubMetrics } from './metrics.js';

/** The hub's domain services, built once per process from config and the database. */
export interface HubServices {
  readonly trust: HubTrust;
  readonly log: TransparencyLog;
  readonly members: MemberRegistry;
  readonly ingest: IngestService;
  /** Authenticates member requests (feed, opinions): design item 7. */
  readonly memberRequests: MemberRequestVerifier;
  readonly tokens: TokenService;
  readonly opinions: OpinionService;
  /** PDQ and keyword indexes behind matchImage and matchText (load() at start). */
  readonly matching: MatchIndexes;
  readonly access: AccessRecorder;
  /** Per key (an agency token's jti, `member:<slug>`), for the whole hub: on Postgres shared by every process. */
  readonly rateLimiter: RateLimiter;
  /**
   * The machine feeds' class (TAXII, the MISP feed), per agency token, with its own budget
   * (EXPORT_RATE_LIMIT_*): a bulk import neither starves nor is starved by the same token's
   * interactive requests, which `rateLimiter` limits.
   */
  readonly exportRateLimiter: RateLimiter;
  /** Lawful re-identification requests (docs/disclosure.md). */
  readonly disclosures: DisclosureService;
  /** Referrals from members to agencies (src/referrals). */
  readonly referrals: ReferralService;
  /** Federation warninglists: published by the operator, logged, served, applied by matchText (issue 21). */
  readonly warninglists: WarninglistService;
  /** Quarantine: indicators held back from matching, on the hub's matchText rates, a node's flood report, or a HOLD outcome-precision verdict. */
  readonly quarantine: QuarantineService;
}

export async function createHubServices(deps: {
  config: Readonly<Config>;
  database: Database;
  logger: Logger;
  clock: Clock;
  metrics?: Pick<HubMetrics, 'instrumentIngest' | 'instrumentLog'>;
  /** Live alerts of filed referrals (the running hub; an operator command has none). */
  onReferralFiled?: (filed: ReferralAnnouncement) => void;
}): Promise<HubServices> {
  const { config, database, logger, clock, metrics = UNMEASURED } = deps;
  const db = database.dataSource;
  const trust = await loadHubTrust(config, logger, clock);
  const log = metrics.instrumentLog(createTransparencyLog({ origin: config.LOG_ORIGIN, signer: trust.logSigner, clock }));
  const revocations = createRevocationList(db);
  const verifier = createBatchVerifier({ roots: trust.roots, isRevoked: revocations.lookup, clock });
  const tokens = await createTokenService({ db, log, clock, random: systemRandom, issuer: config.HUB_ORIGIN, signingKey: trust.tokenKey });
  const quarantine = createQuarantineService({ db, log, clock, logger });
  // The batch is committed by then: a failed judgement must not fail its receipt (the next batch with outcomes about the indicator judges it again).
  const onOutcomes = (ids: readonly string[]): Promise<unknown> => quarantine.judgePrecision(ids).catch((err: unknown) => logger.error({ err, indicators: ids.length }, 'outcome precision not judged'));
  return {
    trust,
    log,
    tokens,
    opinions: createOpinionService({ db, log, clock }),
    warninglists: createWarninglistService({ db, log, clock }),
    quarantine,
    matching: createMatchIndexes({ db, logger }),
    access: createAccessRecorder({ db, logger }),
    rateLimiter: createHubRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST }, database, logger),
    exportRateLimiter: withKeyPrefix(EXPORT_RATE_KEY_PREFIX, createHubRateLimiter({ perMinute: config.EXPORT_RATE_LIMIT_PER_MINUTE, burst: config.EXPORT_RATE_LIMIT_BURST }, database, logger)),
    members: createMemberRegistry({ db, roots: trust.roots, log, clock }),
    disclosures: createDisclosureService({ db, log, clock, roots: trust.roots, revocations: createRevocationList(db), ttlDays: config.DISCLOSURE_TTL_DAYS }),
    referrals: createReferralService({ db, log, clock, roots: trust.roots, revocations: createRevocationList(db), ackWithinHours: config.REFERRAL_ACK_HOURS, ...(deps.onReferralFiled === undefined ? {} : { onFiled: deps.onReferralFiled }) }),
    ingest: metrics.instrumentIngest(createIngestService({ db, verifier, revocations, log, clock, onOutcomes })),
    memberRequests: withFreshRevocations(
      createMemberRequestVerifier({ roots: trust.roots, isRevoked: revocations.lookup, clock, audience: config.HUB_ORIGIN, jtis: createDatabaseJtiStore(db, () => clock.now()) }),
      revocations,
    ),
  };
}

/** An operator command's services (the CLI with no hub running) are not scraped. */
const UNMEASURED: Pick<HubMetrics, 'instrumentIngest' | 'instrumentLog'> = { instrumentIngest: (i) => i, instrumentLog: (l) => l };
/** Several processes share a Postgres database, so its limit lives there; the embedded one has one process. */
function createHubRateLimiter(limits: RateLimits, database: Database, logger: Logger): RateLimiter {
  return database.kind === 'postgres' ? createSharedRateLimiter({ ...limits, db: database.dataSource, logger }) : createRateLimiter(limits);
}

/** Another hub process may have revoked a certificate: read the list before each verification. */
function withFreshRevocations(verifier: MemberRequestVerifier, revocations: RevocationList): MemberRequestVerifier {
  return {
    async verify(token) {
      await revocations.refresh();
      return verifier.verify(token);
    },
  };
}
