/**
 * The node's side of referrals (issue #22): the operator (or the platform) files a case; the node
 * asks the hub which agencies receive it and with which keys, checks those keys are what the
 * `agency` log entries commit to (their hash), encrypts the evidence to each agency, signs one
 * record per agency with the member's certificate and files each. What became of them is read
 * back from the hub (memberReferrals), so `list` shows the agencies' steps as they happen.
 */
import { z } from 'zod';
import { keysSha256, parseAgencyKeySet } from '../../disclosure/index.js';
import type { Random } from '../../kernel/index.js';
import type { BatchSigner } from '../../provenance/index.js';
import { draftShape, ReferralError, signReferrals, type ReceivingAgency, type ReferralDraft } from '../../referrals/index.js';
import { NodeError } from '../errors.js';
import { hubGraphql, type GraphqlAnswer, type HubClientOptions } from '../hub-client.js';

export interface NodeReferralDeps {
  readonly hub: HubClientOptions;
  readonly member: string;
  readonly signer: BatchSigner;
  readonly random: Random;
  /** A fresh member request token for each hub call. */
  readonly memberToken: () => Promise<string>;
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const requestSchema = z
  .strictObject({
    agency: z.string().regex(SLUG, 'must be an agency slug').optional(),
    ...draftShape,
    evidence: z
      .array(z.strictObject({ name: z.string().min(1).max(200), mediaType: z.string().min(3).max(120), data: z.string().min(1) }))
      .max(20)
      .optional(),
  })
  .refine((r) => r.sellers.length + r.indicators.length > 0, { message: 'must name at least one seller fingerprint or indicator id', path: ['sellers'] });

/** The referral as the hub shows it to the member that filed it. */
export interface NodeReferralView {
  readonly id: string;
  readonly caseRef: string;
  readonly agency: string;
  readonly routing: string;
  readonly urgency: string;
  readonly commodity: string;
  readonly place: string;
  readonly summary: string;
  readonly state: string;
  readonly filedAt: string;
  readonly acknowledgedAt: string | null;
  readonly overdue: boolean;
  readonly declineReason: string | null;
  readonly result: string | null;
  readonly closeNote: string | null;
}

const viewSchema = z.object({
  id: z.string().max(64),
  caseRef: z.string().max(64),
  agency: z.string().max(64),
  routing: z.string().max(16),
  urgency: z.string().max(16),
  commodity: z.string().max(32),
  place: z.string().max(48),
  summary: z.string().max(4000),
  state: z.string().max(16),
  filedAt: z.string().max(40),
  acknowledgedAt: z.string().max(40).nullable(),
  overdue: z.boolean(),
  declineReason: z.string().max(500).nullable(),
  result: z.string().max(32).nullable(),
  closeNote: z.string().max(2000).nullable(),
});
const VIEW_FIELDS = 'id caseRef agency routing urgency commodity place summary state filedAt acknowledgedAt overdue declineReason result closeNote';

export interface FiledCase {
  readonly caseRef: string;
  readonly referrals: ReadonlyArray<{ readonly referralId: string; readonly agency: string; readonly leafIndex?: number; readonly refused?: { readonly code: string; readonly message: string } }>;
}

function parseRequest(body: unknown): z.infer<typeof requestSchema> {
  const parsed = requestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new NodeError('INVALID_REFERRAL', `${field} ${issue?.message ?? 'is invalid'}`, { details: { field } });
}

/** The hub's refusal as the node reports it: its own code, kept in details. */
function refusal<T>(answer: GraphqlAnswer<T>, what: string): NodeError {
  const error = answer.errors?.[0];
  const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : undefined;
  if (code === 'NOT_FOUND') return new NodeError('UNKNOWN_REFERRAL', 'the hub has no referral by that id filed by this member');
  if (code !== undefined && answer.status < 500 && code !== 'INTERNAL_SERVER_ERROR' && code !== 'UNAUTHENTICATED') {
    return new NodeError('REFERRAL_REFUSED', `the hub refused ${what}: ${code}: ${error?.message.slice(0, 500) ?? ''}`, { details: { hubCode: code.slice(0, 64) } });
  }
  return new NodeError('HUB_UNAVAILABLE', `the hub did not answer ${what} (HTTP ${answer.status}${code ? `: ${code}` : ''})`);
}

const agenciesSchema = z.array(z.object({ agency: z.string().regex(SLUG), jwks: z.string().max(16 * 1024).nullable(), keysSha256: z.string().max(64).nullable() })).max(200);

/** The receiving agencies and their keys; a key set whose hash is not the one the hub announces is the hub misbehaving. */
async function receivers(deps: NodeReferralDeps, draft: { commodity: string; place: string; agency?: string | undefined }): Promise<ReceivingAgency[]> {
  const answer = await hubGraphql<{ referralAgencies?: unknown }>(deps.hub, await deps.memberToken(), 'query($c: Commodity!, $p: String!, $a: String) { referralAgencies(commodity: $c, place: $p, agency: $a) { agency jwks keysSha256 } }', {
    c: draft.commodity,
    p: draft.place,
    a: draft.agency ?? null,
  });
  if (answer.data?.referralAgencies == null) throw refusal(answer, 'the referral');
  const listed = agenciesSchema.safeParse(answer.data.referralAgencies);
  if (!listed.success || listed.data.length === 0) throw new NodeError('HUB_MISBEHAVING', 'the hub named no receiving agencies in the expected form', { details: { check: 'referral-agencies' } });
  return Promise.all(
    listed.data.map(async (a) => {
      if (a.jwks === null) return { agency: a.agency, keys: null };
      const keys = await parseAgencyKeySet(JSON.parse(a.jwks)).catch(() => undefined);
      if (keys === undefined || keysSha256(keys) !== a.keysSha256) throw new NodeError('HUB_MISBEHAVING', `the hub served agency ${a.agency}'s keys in a form or with a hash that does not match`, { details: { check: 'referral-agency-keys' } });
      return { agency: a.agency, keys };
    }),
  );
}

export function createNodeReferralService(deps: NodeReferralDeps) {
  return {
    /** Files a case: one signed referral per receiving agency. @throws NodeError */
    async file(body: unknown): Promise<FiledCase> {
      const request = parseRequest(body);
      const draft: ReferralDraft = { sellers: request.sellers, indicators: request.indicators, summary: request.summary, urgency: request.urgency, commodity: request.commodity, place: request.place, evidence: request.evidence };
      let signed;
      try {
        const agencies = await receivers(deps, request);
        signed = await signReferrals(draft, { agencies, routing: request.agency === undefined ? 'COMPETENCE' : 'NAMED' }, { member: deps.member, signer: deps.signer, random: deps.random });
      } catch (err) {
        if (err instanceof ReferralError) {
          const field = typeof err.details?.['field'] === 'string' ? err.details['field'] : undefined;
          throw new NodeError(err.code === 'INVALID_REFERRAL' ? 'INVALID_REFERRAL' : 'REFERRAL_REFUSED', err.message, { details: field === undefined ? { hubCode: err.code } : { field } });
        }
        throw err;
      }
      const referrals = [];
      for (const r of signed.referrals) {
        const answer = await hubGraphql<{ fileReferral?: { leafIndex: number } | null }>(deps.hub, await deps.memberToken(), 'mutation($r: String!) { fileReferral(record: $r) { leafIndex } }', { r: r.record });
        const leafIndex = answer.data?.fileReferral?.leafIndex;
        if (typeof leafIndex === 'number') referrals.push({ referralId: r.referralId, agency: r.agency, leafIndex });
        else {
          const refused = refusal(answer, `the referral to ${r.agency}`);
          referrals.push({ referralId: r.referralId, agency: r.agency, refused: { code: refused.code === 'REFERRAL_REFUSED' ? String(refused.details?.['hubCode']) : refused.code, message: refused.message } });
        }
      }
      return { caseRef: signed.caseRef, referrals };
    },
    /** This member's referrals and what the agencies did, as the hub holds them. */
    async list(first = 100): Promise<NodeReferralView[]> {
      const answer = await hubGraphql<{ memberReferrals?: unknown }>(deps.hub, await deps.memberToken(), `query($f: Int) { memberReferrals(first: $f) { ${VIEW_FIELDS} } }`, { f: first });
      if (answer.data?.memberReferrals == null) throw refusal(answer, 'the list of referrals');
      const parsed = z.array(viewSchema).max(200).safeParse(answer.data.memberReferrals);
      if (!parsed.success) throw new NodeError('HUB_MISBEHAVING', 'the hub listed referrals in an unexpected form', { details: { check: 'member-referrals' } });
      return parsed.data;
    },
    async show(id: string): Promise<NodeReferralView> {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new NodeError('INVALID_REFERRAL', 'a referral id is a lower-case UUID', { details: { field: 'id' } });
      const answer = await hubGraphql<{ referral?: unknown }>(deps.hub, await deps.memberToken(), `query($id: ID!) { referral(id: $id) { ${VIEW_FIELDS} } }`, { id });
      if (answer.data?.referral == null) throw refusal(answer, 'the referral');
      const parsed = viewSchema.safeParse(answer.data.referral);
      if (!parsed.success) throw new NodeError('HUB_MISBEHAVING', 'the hub showed the referral in an unexpected form', { details: { check: 'member-referral' } });
      return parsed.data;
    },
  };
}

export type NodeReferralService = ReturnType<typeof createNodeReferralService>;
