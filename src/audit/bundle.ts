import { decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { indicatorId as idOf, type IndicatorType } from '../indicators/index.js';
import { pemToDerCertificates } from '../pki/index.js';
import { createBatchVerifier, isSdJwt, issuerJwtOf, type BatchFormat, type VerifiedBatchView } from '../provenance/index.js';
import { sha256Base64url, type Clock } from '../kernel/index.js';
import { openCheckpoint } from '../tlog/index.js';
import { proveEntryIncluded } from './inclusion.js';
import { AuditError } from './errors.js';

/** A self-contained provenance bundle (what `provenance(indicatorId)` answers), checkable offline. */
const bundleSchema = z.object({
  v: z.literal(1),
  indicatorId: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  checkpoint: z.string().max(64 * 1024),
  treeSize: z.number().int().positive(),
  sightings: z
    .array(
      z
        .object({
          member: z.string(),
          batchId: z.string(),
          tlp: z.string(),
          jws: z.string().max(16 * 1024 * 1024).optional(),
          sdJwt: z.string().max(16 * 1024 * 1024).optional(),
          certificateChain: z.array(z.string()),
          leafIndex: z.number().int().nonnegative(),
          logEntry: z.string(),
          inclusionProof: z.array(z.string()).max(64),
        })
        .refine((s) => (s.jws === undefined) !== (s.sdJwt === undefined), 'a sighting carries its batch as jws (version 1) or sdJwt (version 2)'),
    )
    .min(1),
});
export type ProvenanceBundleFile = z.infer<typeof bundleSchema>;

/** A sighting as GraphQL `provenance` answers it: `jws` or `sdJwt` null where not given. */
export interface ProvenanceAnswerSighting extends Omit<ProvenanceBundleFile['sightings'][number], 'jws' | 'sdJwt'> {
  readonly jws: string | null;
  readonly sdJwt: string | null;
}

/**
 * The bundle file `audit export` writes from GraphQL `provenance`: each sighting with the signed
 * batch it came with (a version 1 JWS or a version 2 SD-JWT); a sighting with neither (a version 1
 * batch the token may see only in part) has nothing to verify offline and is left out.
 */
export function toBundleFile(answer: { indicatorId: string; checkpoint: string; treeSize: number; sightings: readonly ProvenanceAnswerSighting[] }): { file: ProvenanceBundleFile; unsigned: number } {
  type Sighting = ProvenanceBundleFile['sightings'][number];
  const sightings = answer.sightings.flatMap(({ jws, sdJwt, ...s }): Sighting[] => (jws !== null ? [{ ...s, jws }] : sdJwt !== null ? [{ ...s, sdJwt }] : []));
  return { file: { v: 1, indicatorId: answer.indicatorId, checkpoint: answer.checkpoint, treeSize: answer.treeSize, sightings }, unsigned: answer.sightings.length - sightings.length };
}

export interface BundleReport {
  indicatorId: string;
  treeSize: number;
  sightings: Array<{
    member: string;
    batchId: string;
    leafIndex: number;
    createdAt: string;
    tlp: string;
    loggedAt: number;
    leafSerialHex: string;
    indicator: Record<string, unknown>;
    /** `sd-jwt`: a version 2 view; `withheld` counts the batch's items it shows only as salted digests. */
    format: BatchFormat;
    withheld: number;
  }>;
}

/**
 * Checks a bundle with nothing but the root certificate and the log's verifier key: the checkpoint
 * signature; for every sighting, that the log entry commits to exactly this JWS (or this SD-JWT's
 * issuer-signed JWT), that the entry is in the checkpoint's tree, that the batch verifies to the
 * root, that the bundle labels it as signed (member, batch, TLP, certificate chain), and that it contains the indicator (a version 2 view: discloses it, under the member's signature).
 * (Revocation after the bundle's checkpoint cannot be known offline: run `audit verify` for that.)
 */
/**
 * A bundle's own labels of a sighting (member, batch id, TLP, certificate chain) are unsigned: each
 * must be exactly what the signed batch says, or a RED batch could be shown as CLEAR, or with
 * another member's certificate beside it, and still "verify".
 */
function assertLabelsSigned(s: ProvenanceBundleFile['sightings'][number], view: VerifiedBatchView, loggedTlp: string, signed: string, where: string): void {
  const x5c = (decodeProtectedHeader(issuerJwtOf(signed)).x5c ?? []).map(String);
  const labels: Array<[string, unknown, unknown]> = [
    ['member', s.member, view.envelope.member],
    ['batchId', s.batchId, view.envelope.batchId],
    ['tlp', s.tlp, view.envelope.tlp],
    ['tlp', s.tlp, loggedTlp],
    ['certificateChain', JSON.stringify(s.certificateChain), JSON.stringify(x5c)],
  ];
  for (const [field, given, signedValue] of labels) {
    if (given === signedValue) continue;
    throw new AuditError('SIGHTING_MISMATCH', `${where}: its ${field} is not what the signed batch and its log entry say (${field === 'certificateChain' ? 'another chain than the batch\'s x5c' : `${String(given)}, signed ${String(signedValue)}`})`, {
      details: { field, member: s.member, batchId: s.batchId },
    });
  }
}

export async function checkBundle(input: unknown, options: { rootPem: string; verifierKey: string; clock: Clock }): Promise<BundleReport> {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) throw new AuditError('INVALID_STATE', `not a provenance bundle: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  const bundle = parsed.data;
  let checkpoint: ReturnType<typeof openCheckpoint>;
  try {
    checkpoint = openCheckpoint(bundle.checkpoint, options.verifierKey);
  } catch (cause) {
    throw new AuditError('CHECKPOINT_SIGNATURE', `the bundle's checkpoint does not verify under the log key: ${(cause as Error).message}`, { cause });
  }
  if (checkpoint.size !== bundle.treeSize) throw new AuditError('ROOT_MISMATCH', `the bundle says tree size ${bundle.treeSize}, its checkpoint ${checkpoint.size}`);
  const verifier = createBatchVerifier({ roots: pemToDerCertificates(options.rootPem), isRevoked: () => undefined, clock: options.clock });
  const sightings: BundleReport['sightings'] = [];
  for (const s of bundle.sightings) {
    const where = `sighting ${s.member}/${s.batchId}`;
    const entry = proveEntryIncluded(s, checkpoint, where);
    if (entry.kind !== 'batch' || entry.member !== s.member || entry.batchId !== s.batchId) throw new AuditError('MALFORMED_ENTRY', `${where}: the log entry is not this batch's`);
    const signed = (s.jws ?? s.sdJwt)!;
    if (sha256Base64url(issuerJwtOf(signed)) !== entry.jwsSha256) throw new AuditError('BATCH_HASH_MISMATCH', `${where}: the ${s.jws === undefined ? "SD-JWT's issuer-signed JWT" : 'JWS'} is not the one the log entry commits to`);
    if ((s.jws === undefined) !== isSdJwt(signed)) throw new AuditError('BATCH_INVALID', `${where}: a version 1 batch goes in jws, a version 2 batch in sdJwt`);
    let view: VerifiedBatchView;
    try {
      view = await verifier.verifyView(signed, new Date(entry.ts));
    } catch (cause) {
      throw new AuditError('BATCH_INVALID', `${where}: the batch does not verify to the root: ${(cause as Error).message}`, { cause });
    }
    assertLabelsSigned(s, view, entry.tlp, signed, where);
    const indicator = view.indicators.find((i) => i !== undefined && idOf((i as { type: IndicatorType }).type, (i as { value: string }).value) === bundle.indicatorId);
    if (indicator === undefined) throw new AuditError('BATCH_INVALID', `${where}: the batch does not ${view.format === 'jws' ? 'contain' : 'disclose'} indicator ${bundle.indicatorId}`);
    const withheld = [...view.indicators, ...view.retractions, ...view.outcomes].filter((i) => i === undefined).length;
    sightings.push({ member: s.member, batchId: s.batchId, leafIndex: s.leafIndex, createdAt: view.envelope.createdAt, tlp: view.envelope.tlp, loggedAt: entry.ts, leafSerialHex: view.chain.leafSerialHex, indicator: indicator as Record<string, unknown>, format: view.format, withheld });
  }
  return { indicatorId: bundle.indicatorId, treeSize: bundle.treeSize, sightings };
}
