/**
 * The STIX 2.1 mapping, pure: every object type validated against the vendored OASIS schemas,
 * the TLP 2.0 marking definitions against the ids OASIS publishes, the rules the schemas cannot
 * express (modified ≥ created, valid_until > valid_from), and the provenance extension against its
 * own schema.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { v5 as uuidv5, validate as isUuid, version as uuidVersion } from 'uuid';
import { assertValidStix } from '../../test/helpers/stix-schemas.js';
import { TLPS } from '../indicators/index.js';
import { feedTime } from './feed-time.js';
import type { FeedIndicator, FeedSighting } from './feed-rows.js';
import { PROVENANCE_EXTENSION_ID, stixIds, WILDINTEL_STIX_NAMESPACE } from './stix-ids.js';
import { staticObjects, stixIndicator, stixMemberIdentity, stixOpinion, stixSighting, versionOf, type StixContext } from './stix.js';
import { collectionSlot } from './collections.js';
import { TLP2_EXTENSION_ID, tlpMarkingDefinition, tlpMarkingId } from './tlp-markings.js';

const ctx: StixContext = { tlp: 'AMBER', slot: collectionSlot({ tlp: 'AMBER', commodity: 'IVORY' }), origin: 'hub.example.org/wildintel', timeOf: (leaf) => feedTime(Date.UTC(2026, 10, 1) + leaf * 1000, leaf % 3) };

const keyword: FeedIndicator = { id: 'a'.repeat(43), type: 'KEYWORD', value: '象牙手镯', quality: null };
const pdq: FeedIndicator = { id: 'b'.repeat(43), type: 'IMAGE_PDQ', value: 'f8'.repeat(32), quality: 90 };
const sha: FeedIndicator = { id: 'c'.repeat(43), type: 'IMAGE_SHA256', value: '0f'.repeat(32), quality: null };
const seller: FeedIndicator = { id: 'd'.repeat(43), type: 'SELLER', value: `fp1.k2026.${'x'.repeat(43)}`, quality: null };

function sighting(over: Partial<FeedSighting> = {}): FeedSighting {
  return {
    sightingId: 1,
    indicatorId: keyword.id,
    member: 'shopmart',
    batchId: '6f1d1c9e-4a44-4c1b-9d7e-3f0f2a9b1c01',
    leafIndex: 5,
    batchSha256: 'h'.repeat(43),
    observedAt: new Date('2026-11-02T10:00:00Z'),
    commodity: 'IVORY',
    species: 'Loxodonta africana',
    purpose: 'DECORATION',
    confidence: 80,
    tlp: 'AMBER',
    expiresAt: null,
    retractedAt: null,
    retractionLeaf: null,
    listingCount: null,
    originalText: '象 牙 手镯',
    ...over,
  };
}

/** The extension's properties as docs/interop.md defines them. */
const PROVENANCE_SCHEMA = {
  type: 'object',
  required: ['extension_type'],
  additionalProperties: false,
  properties: {
    extension_type: { const: 'property-extension' },
    indicator_id: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    indicator_type: { enum: ['KEYWORD', 'SELLER', 'IMAGE_PDQ', 'IMAGE_SHA256'] },
    pdq_quality: { type: 'integer', minimum: 0, maximum: 100 },
    sighting_count: { type: 'integer', minimum: 1 },
    provenance_truncated: { const: true },
    opinion_leaf_index: { type: 'integer', minimum: 0 },
    opinion_record_sha256: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    provenance: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['member', 'batch_id', 'batch_sha256', 'leaf_index', 'tlp', 'observed_at'],
        properties: {
          member: { type: 'string' },
          batch_id: { type: 'string', format: 'uuid' },
          batch_sha256: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
          leaf_index: { type: 'integer', minimum: 0 },
          tlp: { enum: [...TLPS] },
          observed_at: { type: 'string' },
          retracted_at_leaf_index: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
};
const provenanceValid = new Ajv2020({ strict: true }).addFormat('uuid', /^[0-9a-f-]{36}$/).compile(PROVENANCE_SCHEMA);

function assertProvenance(object: Record<string, unknown>): Record<string, unknown> {
  const ext = (object['extensions'] as Record<string, Record<string, unknown>>)[PROVENANCE_EXTENSION_ID]!;
  assert.ok(provenanceValid(ext), JSON.stringify(provenanceValid.errors));
  return ext;
}

describe('STIX ids', () => {
  it('are UUIDv5 of the wildintel id under the documented namespace, the same every time', () => {
    const id = stixIds.indicator(keyword.id);
    assert.equal(id, `indicator--${uuidv5(keyword.id, WILDINTEL_STIX_NAMESPACE)}`);
    assert.equal(uuidVersion(id.slice('indicator--'.length)), 5);
    assert.ok(isUuid(WILDINTEL_STIX_NAMESPACE));
    assert.notEqual(stixIds.indicator(pdq.id), id, 'another indicator, another id');
    assert.notEqual(stixIds.member('shopmart'), stixIds.hub('shopmart'), 'kinds do not collide');
  });
});

describe('TLP 2.0 marking definitions', () => {
  // Pinned against literals, not the table they come from: the ids and objects OASIS publishes in
  // oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0/ (the
  // extension-definition--60a3c5c5… file and examples/tlp-clear.json, tlp-amber+strict.json).
  const published = {
    CLEAR: ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'TLP:CLEAR', 'clear'],
    GREEN: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'TLP:GREEN', 'green'],
    AMBER: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'TLP:AMBER', 'amber'],
    AMBER_STRICT: ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'TLP:AMBER+STRICT', 'amber+strict'],
    RED: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'TLP:RED', 'red'],
  } as const;
  it('are the objects OASIS publishes, property for property', () => {
    assert.equal(TLP2_EXTENSION_ID, 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d');
    for (const tlp of TLPS) {
      const [id, name, value] = published[tlp];
      assert.equal(tlpMarkingId(tlp), id);
      assert.deepEqual(tlpMarkingDefinition(tlp), {
        type: 'marking-definition',
        spec_version: '2.1',
        id,
        created: '2022-10-01T00:00:00.000Z',
        name,
        extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: value } },
      });
      assertValidStix({ ...tlpMarkingDefinition(tlp) });
    }
  });
});

describe('indicator', () => {
  it('maps a keyword with its pattern language, validity, labels, confidence, marking and provenance', () => {
    const s = [sighting({ expiresAt: new Date('2026-12-01T00:00:00Z') }), sighting({ sightingId: 2, member: 'chatapp', leafIndex: 9, confidence: 95, observedAt: new Date('2026-11-01T08:00:00Z'), expiresAt: new Date('2026-12-15T00:00:00Z'), species: null, purpose: null })];
    const o = stixIndicator(keyword, s, 3, ctx);
    assertValidStix(o);
    assert.equal(o.id, stixIds.indicator(keyword.id));
    assert.deepEqual([o['pattern_type'], o['pattern'], o['pattern_version']], ['wildintel-keyword', '象牙手镯', '1']);
    assert.equal(o['valid_from'], '2026-11-01T08:00:00.000Z', 'earliest observation');
    assert.equal(o['valid_until'], '2026-12-15T00:00:00.000Z', 'latest expiry, when every sighting expires');
    assert.deepEqual(o['labels'], ['commodity:ivory', 'purpose:decoration', 'species:Loxodonta africana']);
    assert.equal(o['confidence'], 95);
    assert.equal(o['revoked'], undefined);
    assert.deepEqual(o['object_marking_refs'], ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421']);
    assert.deepEqual(o['indicator_types'], ['malicious-activity']);
    assert.equal(o['created_by_ref'], stixIds.hub(ctx.origin));
    assert.ok(String(o['modified']) >= String(o['created']), 'modified ≥ created (the schemas cannot say it)');
    assert.deepEqual([o['created'], o['modified']], ['2026-11-01T00:00:03.000000Z', '2026-11-01T00:00:09.000020Z'], "the indicator's first log entry, anywhere; the collection's version of its latest batch");
    const ext = assertProvenance(o);
    assert.equal(ext['sighting_count'], 2);
    assert.deepEqual((ext['provenance'] as Array<{ member: string; leaf_index: number }>).map((p) => [p.member, p.leaf_index]), [['chatapp', 9], ['shopmart', 5]], 'newest first');
  });

  it('leaves valid_until out while one sighting never expires', () => {
    const o = stixIndicator(keyword, [sighting({ expiresAt: new Date('2026-12-01T00:00:00Z') }), sighting({ sightingId: 2, leafIndex: 6 })], 5, ctx);
    assert.equal(o['valid_until'], undefined);
  });

  it('is revoked once every sighting is retracted, and versioned at the retraction', () => {
    const o = stixIndicator(keyword, [sighting({ retractedAt: new Date('2026-11-05T00:00:00Z'), retractionLeaf: 12 })], 5, ctx);
    assertValidStix(o);
    assert.equal(o['revoked'], true);
    assert.equal(o['modified'], '2026-11-01T00:00:12.000020Z', 'the retraction is the latest change');
    const live = stixIndicator(keyword, [sighting({ retractedAt: new Date(), retractionLeaf: 12 }), sighting({ sightingId: 2, leafIndex: 7, confidence: 40 })], 5, ctx);
    assert.equal(live['revoked'], undefined, 'one live sighting keeps it valid');
    assert.equal(live['confidence'], 40, 'confidence from the live sightings');
  });

  it('uses the standard STIX pattern for SHA-256 and the custom languages for PDQ and sellers', () => {
    const o = stixIndicator(sha, [sighting({ indicatorId: sha.id })], 5, ctx);
    assertValidStix(o);
    assert.deepEqual([o['pattern_type'], o['pattern']], ['stix', `[file:hashes.'SHA-256' = '${sha.value}']`]);
    const p = stixIndicator(pdq, [sighting({ indicatorId: pdq.id })], 5, ctx);
    assert.deepEqual([p['pattern_type'], p['pattern']], ['wildintel-pdq', pdq.value]);
    assert.equal(assertProvenance(p)['pdq_quality'], 90);
    const f = stixIndicator(seller, [sighting({ indicatorId: seller.id })], 5, ctx);
    assert.deepEqual([f['pattern_type'], f['indicator_types']], ['wildintel-seller-fingerprint', ['attribution']]);
    assertValidStix(f);
  });

  it('gives one id one created everywhere, and each collection its own (id, modified)', () => {
    const ivory = stixIndicator(keyword, [sighting({ leafIndex: 9 })], 4, ctx);
    const pangolin = stixIndicator(keyword, [sighting({ leafIndex: 9, commodity: 'PANGOLIN', confidence: 30 })], 4, { ...ctx, slot: collectionSlot({ tlp: 'AMBER', commodity: 'PANGOLIN' }) });
    const green = stixIndicator(keyword, [sighting({ leafIndex: 9, tlp: 'GREEN' })], 4, { ...ctx, tlp: 'GREEN', slot: collectionSlot({ tlp: 'GREEN', commodity: 'IVORY' }) });
    assert.equal(new Set([ivory, pangolin, green].map((o) => o['created'])).size, 1, 'one created');
    assert.equal(new Set([ivory, pangolin, green].map((o) => o['modified'])).size, 3, 'the same log entry, three contents, three versions');
    for (const o of [ivory, pangolin, green]) assertValidStix(o);
  });

  it('lists at most 100 provenance entries and says when there were more', () => {
    const many = Array.from({ length: 130 }, (_, i) => sighting({ sightingId: i + 1, leafIndex: i + 1 }));
    const ext = assertProvenance(stixIndicator(keyword, many, 1, ctx));
    assert.equal((ext['provenance'] as unknown[]).length, 100);
    assert.deepEqual([ext['sighting_count'], ext['provenance_truncated']], [130, true]);
  });
});

describe('identities, sightings, opinions and the objects every collection starts with', () => {
  it('are valid STIX 2.1 with the documented references', () => {
    const member = stixMemberIdentity({ slug: 'shopmart', name: 'ShopMart', enrolledAt: new Date('2026-10-01T00:00:00Z') });
    assertValidStix(member);
    const s = stixSighting(keyword, sighting({ listingCount: 4, retractedAt: new Date(), retractionLeaf: 8 }), ctx);
    assertValidStix(s);
    assert.deepEqual([s['sighting_of_ref'], s['where_sighted_refs'], s['count'], s['revoked']], [stixIds.indicator(keyword.id), [member.id], 4, true]);
    assertProvenance(s);
    const o = stixOpinion({ id: 1, indicatorId: keyword.id, by: 'member:shopmart', verdict: 'FALSE_POSITIVE', note: 'a toy', leafIndex: 14, recordSha256: 'r'.repeat(43) }, ctx);
    assertValidStix(o);
    assert.deepEqual([o['opinion'], o['object_refs'], o['created_by_ref'], o['explanation']], ['disagree', [stixIds.indicator(keyword.id)], member.id, 'a toy']);
    assertProvenance(o);
    const agency = stixOpinion({ id: 2, indicatorId: keyword.id, by: 'agency:customs', verdict: 'CONFIRMED', note: null, leafIndex: 15, recordSha256: 'r'.repeat(43) }, ctx);
    assert.deepEqual([agency['opinion'], agency['created_by_ref'], agency['authors']], ['agree', undefined, ['agency:customs']]);
    const logStart = ctx.timeOf(0);
    const fixed = staticObjects('RED', ctx.origin, logStart);
    assert.deepEqual(staticObjects('RED', ctx.origin, undefined), [], 'nothing before the log has an entry');
    assert.equal(fixed[3]!['created'], '2026-11-01T00:00:00.000000Z', 'the hub exists since its log started');
    for (const f of fixed) assertValidStix(f);
    assert.deepEqual(fixed.map((f) => f.type), ['marking-definition', 'identity', 'extension-definition', 'identity']);
    assert.equal(fixed[2]!.id, PROVENANCE_EXTENSION_ID);
    assert.equal(fixed[2]!['created_by_ref'], fixed[1]!.id, 'an extension definition names its author');
    assert.equal(versionOf(fixed[0]!), '2022-10-01T00:00:00.000Z', 'a marking has no modified: its version is created');
  });
});
