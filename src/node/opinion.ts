/**
 * `POST /v1/opinions`: the platform's verdict on a federation indicator (for example, its
 * moderators found a matched code word to be innocent), recorded at the hub in the member's name.
 * Only the indicator id, the verdict and the note leave the node.
 */
import { z } from 'zod';
import { controlCharacterReason, type Clock, type Random } from '../kernel/index.js';
import { signMemberRequest, type BatchSigner } from '../provenance/index.js';
import { NodeError } from './errors.js';
import { postOpinion, type HubClientOptions } from './hub-client.js';
import { firstIssue } from './observation.js';

const opinionSchema = z.strictObject({
  indicatorId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an indicator id (43 base64url characters)'),
  opinion: z.enum(['CONFIRMED', 'FALSE_POSITIVE']),
  note: z.string().max(2000).refine((v) => controlCharacterReason(v, 'multiline') === undefined, 'must not contain control characters (terminal escapes, bidi controls)').optional(),
});

export type OpinionRequest = z.infer<typeof opinionSchema>;

export function parseOpinionRequest(body: unknown): OpinionRequest {
  const parsed = opinionSchema.safeParse(body);
  if (!parsed.success) {
    const { field, reason } = firstIssue(parsed.error);
    throw new NodeError('INVALID_OPINION', `${field} ${reason}`, { details: { field } });
  }
  return parsed.data;
}

export interface OpinionDeps {
  readonly hub: HubClientOptions;
  readonly audience: string;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly clock: Clock;
  readonly random: Random;
}

/** Sends the opinion now (not through the outbox): the platform learns at once whether it was recorded. */
export async function reportOpinion(deps: OpinionDeps, request: OpinionRequest): Promise<{ indicatorId: string; status: string; leafIndex: number }> {
  const token = await signMemberRequest({ keyPem: deps.signer.keyPem, chainPem: deps.signer.chainPem, member: deps.member, audience: deps.audience, now: deps.clock.now(), jti: deps.random.uuid() });
  const recorded = await postOpinion(deps.hub, token, request);
  return { indicatorId: request.indicatorId, ...recorded };
}
