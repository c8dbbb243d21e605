import type { MigrationInterface } from 'typeorm';
import { MemberNode1764864000000 } from './1764864000000-member-node.js';
import { FeedOpinions1764950400000 } from './1764950400000-feed-opinions.js';
import { DeadLetters1765036800000 } from './1765036800000-dead-letters.js';
import { NodeDisclosures1765123200000 } from './1765123200000-disclosures.js';
import { FeedRevocationIndexes1765382400000 } from './1765382400000-feed-revocation-indexes.js';
import { ListingPseudonyms1765810000000 } from './1765810000000-listing-pseudonyms.js';
import { FeedWarninglists1765821000000 } from './1765821000000-feed-warninglists.js';
import { FeedQuarantines1765821100000 } from './1765821100000-feed-quarantines.js';
import { NodeOutcomes1765900000000 } from './1765900000000-outcomes.js';
import { NodeListingSightings1766150000000 } from './1766150000000-listing-sightings.js';
import { PublicReports1766200000000 } from './1766200000000-public-reports.js';

/** The member node's migrations, oldest first: its database is its own, apart from the hub's. */
export const nodeMigrations: ReadonlyArray<new () => MigrationInterface> = [MemberNode1764864000000, FeedOpinions1764950400000, DeadLetters1765036800000, NodeDisclosures1765123200000, FeedRevocationIndexes1765382400000, ListingPseudonyms1765810000000, FeedWarninglists1765821000000, FeedQuarantines1765821100000, NodeOutcomes1765900000000, NodeListingSightings1766150000000, PublicReports1766200000000];
