import { findIndicator, findIndicators, IndicatorQueryError, type IndicatorRecord, type Queryable } from './indicator-store.js';
import { listingLinks, type ListingLink } from './listing-links.js';
import { SqlParams, visibleSightingSql, type Visibility } from './visibility.js';

export type GraphNodeKind = 'SELLER' | 'KEYWORD' | 'IMAGE' | 'PLATFORM';

export interface GraphNode {
  /** An indicator id, or `member:<slug>` for a platform. */
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** Steps from the centre (platforms: one more than the nearest indicator they reported). */
  hop: number;
  indicator: IndicatorRecord | null;
}

export interface GraphLink {
  source: string;
  target: string;
  /** SAME_LISTING: seen in the same listings (weight: how many); REPORTED_BY: indicator → platform (weight: sightings). */
  kind: 'SAME_LISTING' | 'REPORTED_BY';
  weight: number;
  /** SAME_LISTING only: the supporting sightings' first and last observedAt. */
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
}

export interface LinkGraph {
  center: string;
  nodes: GraphNode[];
  links: GraphLink[];
  /** True when the neighbourhood had more indicators than maxNodes. */
  truncated: boolean;
}

export const MAX_GRAPH_HOPS = 2;
export const MAX_GRAPH_NODES = 150;
export const MAX_MIN_LISTINGS = 1000;

const KIND: Record<IndicatorRecord['type'], GraphNodeKind> = { SELLER: 'SELLER', KEYWORD: 'KEYWORD', IMAGE_PDQ: 'IMAGE', IMAGE_SHA256: 'IMAGE' };

export interface GraphOptions {
  hops: number;
  maxNodes: number;
  /** Links supported by fewer listings are left out (the console's threshold); default 1. */
  minListings?: number;
}

/**
 * The neighbourhood of an indicator (a seller, usually): indicators seen in the same listings
 * (listing-links.ts), up to `hops` steps out, nearest and most listings first, at most `maxNodes` of them besides the centre, and
 * the platforms (members) that reported each. Every step reads visible sightings only, on both
 * sides of a link, so the graph is what the reader could assemble from `seller` and `indicator`.
 * Null when the centre has no visible sighting.
 */
export async function linkGraph(db: Queryable, centerId: string, vis: Visibility, options: GraphOptions): Promise<LinkGraph | null> {
  if (!Number.isInteger(options.hops) || options.hops < 1 || options.hops > MAX_GRAPH_HOPS) {
    throw new IndicatorQueryError('INVALID_FILTER', `hops must be 1 or ${MAX_GRAPH_HOPS}`, { details: { hops: options.hops } });
  }
  if (!Number.isInteger(options.maxNodes) || options.maxNodes < 1 || options.maxNodes > MAX_GRAPH_NODES) {
    throw new IndicatorQueryError('INVALID_FILTER', `maxNodes must be from 1 to ${MAX_GRAPH_NODES}`, { details: { maxNodes: options.maxNodes } });
  }
  const minListings = options.minListings ?? 1;
  if (!Number.isInteger(minListings) || minListings < 1 || minListings > MAX_MIN_LISTINGS) {
    throw new IndicatorQueryError('INVALID_FILTER', `minListings must be from 1 to ${MAX_MIN_LISTINGS}`, { details: { minListings } });
  }
  const center = await findIndicator(db, centerId, vis);
  if (center === null) return null;
  const hopOf = new Map<string, number>([[centerId, 0]]);
  const links: GraphLink[] = [];
  let frontier = [centerId];
  let truncated = false;
  for (let hop = 1; hop <= options.hops && frontier.length > 0; hop++) {
    const found = (await listingLinks(db, frontier, vis, { limit: options.maxNodes * 4, minListings })).map(toGraphLink);
    const next: string[] = [];
    for (const l of found) {
      if (!hopOf.has(l.target)) {
        if (hopOf.size - 1 >= options.maxNodes) {
          truncated = true;
          continue;
        }
        hopOf.set(l.target, hop);
        next.push(l.target);
      }
      links.push(l);
    }
    frontier = next;
  }
  const ids = [...hopOf.keys()];
  const records = await findIndicators(db, ids, vis);
  const nodes: GraphNode[] = records.map((r) => ({ id: r.id, kind: KIND[r.type], label: r.value, hop: hopOf.get(r.id)!, indicator: r }));
  const platforms = await reportedBy(db, ids, vis);
  for (const p of platforms) {
    const id = `member:${p.member}`;
    const hop = hopOf.get(p.indicatorId)! + 1;
    const known = nodes.find((n) => n.id === id);
    if (known === undefined) nodes.push({ id, kind: 'PLATFORM', label: p.member, hop, indicator: null });
    else known.hop = Math.min(known.hop, hop);
    links.push({ source: p.indicatorId, target: id, kind: 'REPORTED_BY', weight: p.sightings, firstSeenAt: null, lastSeenAt: null });
  }
  return { center: centerId, nodes, links: dedupe(links.filter((l) => l.kind === 'REPORTED_BY' || (hopOf.has(l.source) && hopOf.has(l.target)))), truncated };
}

function toGraphLink(l: ListingLink): GraphLink {
  return { source: l.from, target: l.to, kind: 'SAME_LISTING', weight: l.listings, firstSeenAt: l.firstSeenAt, lastSeenAt: l.lastSeenAt };
}

async function reportedBy(db: Queryable, ids: readonly string[], vis: Visibility): Promise<Array<{ indicatorId: string; member: string; sightings: number }>> {
  const params = new SqlParams([[...ids]]);
  const where = ['s.indicator_id = ANY($1::text[])', ...visibleSightingSql(vis, params)].join(' AND ');
  const rows = (await db.query(
    `SELECT s.indicator_id AS "indicatorId", s.member, count(*)::int AS sightings FROM sightings s WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params.values,
  )) as Array<{ indicatorId: string; member: string; sightings: number }>;
  return rows.map((r) => ({ ...r, sightings: Number(r.sightings) }));
}

/** A link found from both ends (A→B and B→A at the next hop) is drawn once. */
function dedupe(links: GraphLink[]): GraphLink[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const key = l.kind === 'REPORTED_BY' ? `${l.source}>${l.target}` : [l.source, l.target].sort().join('~');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
