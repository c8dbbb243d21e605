import type { Tlp } from '../indicators/index.js';

/**
 * FIRST TLP 2.0 as STIX 2.1 marking definitions, exactly as OASIS publishes them in
 * oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0/ (the
 * extension-definition and its examples/tlp-*.json). The ids are those objects' ids, never
 * generated: a consumer recognises TLP by id, and a wrong one reads as an unknown marking.
 */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

const MARKINGS: Readonly<Record<Tlp, { id: string; name: string; tlp_2_0: string }>> = {
  CLEAR: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR', tlp_2_0: 'clear' },
  GREEN: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN', tlp_2_0: 'green' },
  AMBER: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER', tlp_2_0: 'amber' },
  AMBER_STRICT: { id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', name: 'TLP:AMBER+STRICT', tlp_2_0: 'amber+strict' },
  RED: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED', tlp_2_0: 'red' },
};

export interface TlpMarkingDefinition {
  type: 'marking-definition';
  spec_version: '2.1';
  id: string;
  created: string;
  name: string;
  extensions: Record<string, { extension_type: 'property-extension'; tlp_2_0: string }>;
}

export function tlpMarkingId(tlp: Tlp): string {
  return MARKINGS[tlp].id;
}

/** The TLP label as people write it: `TLP:AMBER+STRICT`. */
export function tlpName(tlp: Tlp): string {
  return MARKINGS[tlp].name;
}

/** The published object, property for property. */
export function tlpMarkingDefinition(tlp: Tlp): TlpMarkingDefinition {
  const m = MARKINGS[tlp];
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: m.id,
    created: TLP2_CREATED,
    name: m.name,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: m.tlp_2_0 } },
  };
}

/** The MISP tag of the `tlp` taxonomy (misp-taxonomies tlp/machinetag.json, version 10) and its colour there. */
export function mispTlpTag(tlp: Tlp): { name: string; colour: string } {
  const value = MARKINGS[tlp].tlp_2_0;
  const colour = { clear: '#ffffff', green: '#33FF00', amber: '#FFC000', 'amber+strict': '#FFC000', red: '#FF2B2B' }[value] ?? '#ffffff';
  return { name: `tlp:${value}`, colour };
}
