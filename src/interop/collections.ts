import { COMMODITIES, TLPS, type Commodity, type Tlp, type Visibility } from '../indicators/index.js';
import { plainIds } from './stix-ids.js';
import { tlpName } from './tlp-markings.js';

/** A TAXII collection: one TLP label and one commodity. */
export interface CollectionRef {
  readonly tlp: Tlp;
  readonly commodity: Commodity;
}

export interface CollectionInfo extends CollectionRef {
  readonly id: string;
  /** URL-friendly and unique in the API root, e.g. `amber-strict-rhino-horn`. */
  readonly alias: string;
  /** What OpenCTI's connector matches `TAXII2_COLLECTIONS` against, e.g. `TLP:AMBER+STRICT RHINO_HORN` (no dot: it splits on one). */
  readonly title: string;
}

const slug = (s: string): string => s.toLowerCase().replace(/_/g, '-');

export function describeCollection(ref: CollectionRef): CollectionInfo {
  return { ...ref, id: plainIds.collection(ref.tlp, ref.commodity), alias: `${slug(ref.tlp)}-${slug(ref.commodity)}`, title: `${tlpName(ref.tlp)} ${ref.commodity}` };
}

/** Every collection the reader may read: its TLP labels × its commodities. */
export function readableCollections(vis: Visibility): CollectionInfo[] {
  const commodities = vis.commodities ?? COMMODITIES;
  return vis.tlps.flatMap((tlp) => commodities.map((commodity) => describeCollection({ tlp, commodity })));
}

/** The collection named by id or alias, if the reader may read it. */
export function findReadableCollection(vis: Visibility, idOrAlias: string): CollectionInfo | undefined {
  return readableCollections(vis).find((c) => c.id === idOrAlias || c.alias === idOrAlias);
}

/**
 * The reader's visibility inside one collection: the intersection of the collection's TLP and
 * commodity with what the reader may see (types and the clock unchanged). The collection must be
 * readable (findReadableCollection), so the intersection is never wider than the reader's.
 */
export function narrowTo(vis: Visibility, ref: CollectionRef): Visibility {
  return {
    tlps: vis.tlps.filter((t) => t === ref.tlp),
    commodities: (vis.commodities ?? COMMODITIES).filter((c) => c === ref.commodity),
    types: vis.types,
    ownMember: null,
    now: vis.now,
  };
}

/** A collection's number among all of them (0–49), fixed by the order of TLP labels and commodities. */
export function collectionSlot(ref: CollectionRef): number {
  return TLPS.indexOf(ref.tlp) * COMMODITIES.length + COMMODITIES.indexOf(ref.commodity);
}
