/**
 * The evidence package of a case (docs/disclosure.md, "Evidence packages"): one JSON file, checkable
 * offline with the federation root certificate and the log's verifier key alone.
 *
 *   format        "wildintel-evidence/1"
 *   caseId, agency, exportedAt
 *   checkpoint    a signed checkpoint (C2SP signed note); every disclosure inclusion proof is against it
 *   treeSize
 *   indicators    the indicators involved and their sightings, as the exporting token sees them
 *   provenance    per indicator, the provenance bundle (`audit export`): each batch as signed (a
 *                 version 1 JWS whole; a version 2 SD-JWT with this indicator's disclosure alone),
 *                 its certificate chain, its log entry and inclusion proof in the bundle's checkpoint
 *   disclosures   per request: the agency keys in force (the public JWK set and its `agency` entry)
 *                 and every record (filed, routed, delivered, answered, declined, retrieved), each
 *                 with its `disclosure` entry and inclusion proof
 *   answers       added by the holder of the agency key: per answer, the decrypted record and the
 *                 content key of that one message, which lets anyone check the decryption
 *   summary       bilingual Markdown made from the rest; `evidence verify` remakes and compares it
 */
import { z } from 'zod';
import { EvidenceError } from './errors.js';

export const EVIDENCE_FORMAT = 'wildintel-evidence/1';

const base64 = z.string().max(64 * 1024);
const logged = { logEntry: base64, leafIndex: z.number().int().nonnegative(), inclusionProof: z.array(z.string().max(64)).max(64) };

const sightingSchema = z.object({
  member: z.string(),
  batchId: z.string(),
  observedAt: z.string(),
  commodity: z.string(),
  species: z.string().nullable(),
  confidence: z.number(),
  tlp: z.string(),
});

const indicatorSchema = z.object({
  id: z.string(),
  type: z.string(),
  value: z.string(),
  members: z.array(z.string()),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  sightings: z.array(sightingSchema),
});

const bundleSchema = z.object({
  v: z.literal(1),
  indicatorId: z.string(),
  checkpoint: z.string(),
  treeSize: z.number().int(),
  sightings: z.array(
    z
      .object({ member: z.string(), batchId: z.string(), tlp: z.string(), jws: z.string().optional(), sdJwt: z.string().optional(), certificateChain: z.array(z.string()), leafIndex: z.number().int(), logEntry: z.string(), inclusionProof: z.array(z.string()) })
      .refine((s) => (s.jws === undefined) !== (s.sdJwt === undefined), 'a sighting carries its batch as jws (version 1) or sdJwt (version 2)'),
  ),
});

const recordSchema = z.object({ step: z.enum(['filed', 'routed', 'delivered', 'answered', 'declined', 'retrieved']), member: z.string().nullable(), record: z.string().max(256 * 1024), ...logged });

const disclosureSchema = z.object({
  requestId: z.string(),
  agencyKeys: z.object({ agency: z.string(), jwks: z.string().max(16 * 1024), ...logged }),
  records: z.array(recordSchema).min(2).max(1000),
});

const answerSchema = z.object({
  requestId: z.string(),
  member: z.string(),
  contentKey: z.string().max(64),
  plaintext: z.object({
    v: z.literal(1),
    requestId: z.string(),
    member: z.string(),
    fingerprint: z.string(),
    identifier: z.object({ kind: z.string(), value: z.string() }),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
  }),
});

const packageSchema = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  caseId: z.string().min(1).max(128),
  agency: z.string(),
  exportedAt: z.string(),
  hub: z.string(),
  checkpoint: z.string().max(64 * 1024),
  treeSize: z.number().int().positive(),
  indicators: z.array(indicatorSchema).max(1000),
  provenance: z.array(bundleSchema).max(1000),
  disclosures: z.array(disclosureSchema).min(1).max(200),
  answers: z.array(answerSchema).max(1000),
  summary: z.object({ markdown: z.string().max(4 * 1024 * 1024) }),
});

export type EvidencePackage = z.infer<typeof packageSchema>;
export type EvidenceIndicator = z.infer<typeof indicatorSchema>;
export type EvidenceDisclosure = z.infer<typeof disclosureSchema>;
export type EvidenceAnswer = z.infer<typeof answerSchema>;
export type EvidenceRecord = z.infer<typeof recordSchema>;
export type EvidenceBundle = z.infer<typeof bundleSchema>;

export function parseEvidencePackage(value: unknown): EvidencePackage {
  const parsed = packageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EvidenceError('EVIDENCE_MALFORMED', `not an evidence package: ${issue?.path.join('.') || 'document'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}
