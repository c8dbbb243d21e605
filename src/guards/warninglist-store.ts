/**
 * The hub's warninglists: published by the federation operator (an operator action), stored,
 * logged as a `warninglist` entry in the same transaction (the entry commits to the list by its
 * hash), served to nodes and agencies, and compiled for matchText. Every hub process reloads the
 * lists in effect when they may have changed: at once after its own publication, and at most
 * RELOAD_MS after another process's.
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { DEFAULT_WARNINGLISTS } from './default-lists.js';
import { compileWarninglists, type CompiledWarninglists } from './suppression.js';
import { canonicalJson } from '../provenance/index.js';
import { canonicalList, GuardError, listsInEffect, parseWarninglist, warninglistSha256, type Warninglist } from './warninglist.js';

/** A list as served: with its hash and, unless built in, where the log committed to it. */
export interface PublishedWarninglist extends Warninglist {
  readonly sha256: string;
  /** The `warninglist` log entry; null for a list built into the release. */
  readonly leafIndex: number | null;
  readonly publishedAt: Date | null;
}

export interface WarninglistService {
  /** Validates, stores and logs a list. Throws INVALID_WARNINGLIST, WARNINGLIST_VERSION_NOT_NEWER. */
  publish(input: unknown): Promise<PublishedWarninglist>;
  /** The lists in effect (the highest version of each name, built-in lists included), by name. */
  inEffect(): Promise<PublishedWarninglist[]>;
  /** The lists in effect, compiled for suppression. */
  compiled(): Promise<CompiledWarninglists>;
}

const RELOAD_MS = 5_000;

interface Row {
  name: string;
  version: string | number;
  kind: Warninglist['kind'];
  description: string;
  entries: string[];
  sha256: string;
  leaf_index: string | number;
  published_at: Date;
}

const builtIn = (l: Warninglist): PublishedWarninglist => ({ ...l, sha256: warninglistSha256(l), leafIndex: null, publishedAt: null });

function fromRow(r: Row): PublishedWarninglist {
  return { name: r.name, version: Number(r.version), kind: r.kind, description: r.description, entries: r.entries, sha256: r.sha256, leafIndex: Number(r.leaf_index), publishedAt: new Date(r.published_at) };
}

export function createWarninglistService(deps: { db: DataSource; log: TransparencyLog; clock: Clock }): WarninglistService {
  let cache: { at: number; lists: PublishedWarninglist[]; compiled: CompiledWarninglists } | undefined;

  const load = async (): Promise<NonNullable<typeof cache>> => {
    const rows: Row[] = await deps.db.query(`SELECT DISTINCT ON (name) * FROM warninglists ORDER BY name, version DESC`);
    const lists = listsInEffect([...DEFAULT_WARNINGLISTS.map(builtIn), ...rows.map(fromRow)]) as PublishedWarninglist[];
    return (cache = { at: deps.clock.now().getTime(), lists, compiled: compileWarninglists(lists) });
  };
  const current = async (): Promise<NonNullable<typeof cache>> =>
    cache !== undefined && deps.clock.now().getTime() - cache.at < RELOAD_MS ? cache : load();

  return {
    async publish(input) {
      const list = parseWarninglist(input);
      const sha256 = warninglistSha256(list);
      const published = await deps.db.transaction(async (tx) => {
        // Two publishers of one version at once: the primary key refuses the second, whose log entry rolls back with it.
        const [latest]: Array<{ version: string | number | null }> = await tx.query(`SELECT max(version) AS version FROM warninglists WHERE name = $1`, [list.name]);
        const floor = Math.max(Number(latest?.version ?? 0), DEFAULT_WARNINGLISTS.find((d) => d.name === list.name)?.version ?? 0);
        if (list.version <= floor) {
          throw new GuardError('WARNINGLIST_VERSION_NOT_NEWER', `warninglist ${list.name} is at version ${floor}: publish version ${floor + 1} or higher`, { details: { name: list.name, version: floor } });
        }
        const { firstIndex } = await deps.log.append(tx, [{ kind: 'warninglist', name: list.name, version: list.version, listSha256: sha256 }]);
        const rows: Row[] = await tx.query(
          `INSERT INTO warninglists (name, version, kind, description, entries, sha256, leaf_index, published_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) RETURNING *`,
          [list.name, list.version, list.kind, list.description, JSON.stringify(list.entries), sha256, firstIndex, deps.clock.now()],
        );
        return fromRow(rows[0]!);
      });
      await load();
      return published;
    },
    inEffect: async () => (await current()).lists,
    compiled: async () => (await current()).compiled,
  };
}

/**
 * The lists logged at leaf indexes [start, end), as the RFC 8785 JSON their entries' listSha256
 * hashes: what the member feed carries on each `warninglist` entry, so a node checks every list
 * against the log it already verifies.
 */
export async function loggedWarninglists(db: Pick<DataSource, 'query'>, start: number, end: number): Promise<Map<number, string>> {
  const rows: Row[] = await db.query(`SELECT * FROM warninglists WHERE leaf_index >= $1 AND leaf_index < $2`, [start, end]);
  return new Map(rows.map((r) => [Number(r.leaf_index), canonicalJson(canonicalList(fromRow(r)))]));
}
