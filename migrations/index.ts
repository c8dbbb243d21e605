import type { MigrationInterface } from 'typeorm';
import { IndicatorStore1764345600000 } from './1764345600000-indicator-store.js';
import { FederationPki1764432000000 } from './1764432000000-federation-pki.js';
import { TransparencyLog1764518400000 } from './1764518400000-transparency-log.js';
import { MemberRequests1764604800000 } from './1764604800000-member-requests.js';
import { AgencyTokens1764691200000 } from './1764691200000-agency-tokens.js';
import { OpinionsAndAccess1764777600000 } from './1764777600000-opinions-and-access.js';
import { RevocationByReceipt1764864000000 } from './1764864000000-revocation-by-receipt.js';
import { Watchlists1765036800000 } from './1765036800000-watchlists.js';
import { Disclosures1765123200000 } from './1765123200000-disclosures.js';
import { Interop1765209600000 } from './1765209600000-interop.js';
import { SharedRateLimits1765296000000 } from './1765296000000-shared-rate-limits.js';
import { StixIdIndexes1765700000000 } from './1765700000000-stix-id-indexes.js';
import { SightingListings1765810000000 } from './1765810000000-sighting-listings.js';
import { Warninglists1765821000000 } from './1765821000000-warninglists.js';
import { Quarantines1765821100000 } from './1765821100000-quarantines.js';
import { Outcomes1765900000000 } from './1765900000000-outcomes.js';
import { Referrals1766000000000 } from './1766000000000-referrals.js';
import { PrecisionQuarantine1766150000000 } from './1766150000000-precision-quarantine.js';
import { StixIdColumns1766400000000 } from './1766400000000-stix-id-columns.js';

/** Every migration, oldest first. Listed explicitly so the same list runs under tsx, tests and the CLI. */
export const migrations: ReadonlyArray<new () => MigrationInterface> = [
  IndicatorStore1764345600000,
  FederationPki1764432000000,
  TransparencyLog1764518400000,
  MemberRequests1764604800000,
  AgencyTokens1764691200000,
  OpinionsAndAccess1764777600000,
  RevocationByReceipt1764864000000,
  Watchlists1765036800000,
  Disclosures1765123200000,
  Interop1765209600000,
  SharedRateLimits1765296000000,
  StixIdIndexes1765700000000,
  SightingListings1765810000000,
  Warninglists1765821000000,
  Quarantines1765821100000,
  Outcomes1765900000000,
  Referrals1766000000000,
  PrecisionQuarantine1766150000000,
  StixIdColumns1766400000000,
];
