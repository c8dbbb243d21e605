import type { MigrationInterface } from 'typeorm';
import { MemberNode1764864000000 } from './1764864000000-member-node.js';
import { FeedOpinions1764950400000 } from './1764950400000-feed-opinions.js';
import { NodeDisclosures1765123200000 } from './1765123200000-disclosures.js';

/** The member node's migrations, oldest first: its database is its own, apart from the hub's. */
export const nodeMigrations: ReadonlyArray<new () => MigrationInterface> = [MemberNode1764864000000, FeedOpinions1764950400000, NodeDisclosures1765123200000];
