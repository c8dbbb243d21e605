import { v5 as uuidv5 } from 'uuid';
import type { Commodity, Tlp } from '../indicators/index.js';

/**
 * The namespace of every identifier wildintel derives for other tools (UUIDv5, RFC 9562 §5.5).
 * Fixed forever: consumers (OpenCTI, MISP) de-duplicate on these ids, so the same indicator
 * must keep its id across hubs, exports and years. Documented in docs/interop.md.
 */
export const WILDINTEL_STIX_NAMESPACE = '571a0613-dce3-4b9a-aa03-219ab3aa8ed0';

/** The extension-definition carrying provenance (docs/interop.md "The provenance extension"). */
export const PROVENANCE_EXTENSION_ID = 'extension-definition--22ebe56e-8578-4e48-8f5a-51a7544003db';

/** The wildintel project as the author of that extension definition (the same on every hub). */
export const WILDINTEL_PROJECT_IDENTITY_ID = 'identity--33d763ee-4c4e-4e92-93f5-51753f4a1d13';

const derive = (name: string): string => uuidv5(name, WILDINTEL_STIX_NAMESPACE);

/**
 * Ids of the few parties (the hub, the members) are named on every object of a page; each is
 * derived once. Bounded by the number of members (and hub origins) there are.
 */
function memo(of: (key: string) => string): (key: string) => string {
  const known = new Map<string, string>();
  return (key) => {
    let id = known.get(key);
    if (id === undefined) known.set(key, (id = of(key)));
    return id;
  };
}
const memberId = memo((slug) => `identity--${derive(`member:${slug}`)}`);
const hubId = memo((origin) => `identity--${derive(`hub:${origin}`)}`);

/**
 * The name each id is derived from. An indicator's id is derived from its wildintel id (the
 * content address of its type and value) alone, so it is the same in every collection, on every
 * hub and in the MISP feed's correlation with it.
 */
export const stixIds = {
  indicator: (indicatorId: string): string => `indicator--${derive(indicatorId)}`,
  member: memberId,
  /** The hub that aggregates (created_by_ref of indicators), by its log origin. */
  hub: hubId,
  /** One member's report of an indicator in one batch (a row of `sightings`). */
  sighting: (member: string, batchId: string, indicatorId: string): string => `sighting--${derive(`sighting:${member}:${batchId}:${indicatorId}`)}`,
  /** An opinion, by the index of its entry in the transparency log (public and unique). */
  opinion: (leafIndex: number): string => `opinion--${derive(`opinion:${leafIndex}`)}`,
};

/** Plain UUIDs (no type prefix) for TAXII collections and MISP. */
export const plainIds = {
  collection: (tlp: Tlp, commodity: Commodity): string => derive(`collection:${tlp}:${commodity}`),
  /** Also the MISP Orgc uuid of the member. */
  member: (slug: string): string => derive(`member:${slug}`),
  mispEvent: (member: string, day: string, tlp: Tlp): string => derive(`misp-event:${member}:${day}:${tlp}`),
  mispAttribute: (member: string, batchId: string, indicatorId: string): string => derive(`misp-attribute:${member}:${batchId}:${indicatorId}`),
};
