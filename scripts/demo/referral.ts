/**
 * The demo's referral (issue #22): the agency's competence is registered by the hub operator, a
 * member files a case at its node (signed there, routed by competence at the hub), and customs
 * acknowledges and closes it over GraphQL; the member's node then shows the result.
 */
import { cli } from './processes.js';

export interface ReferralOutcome {
  readonly referralId: string;
  readonly member: string;
  readonly state: string;
  readonly result: string;
  /** The referral as the member's node shows it after the agency closed it. */
  readonly atNode: string;
}

async function agencyGraphql<T>(hubUrl: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${hubUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.[0] !== undefined || body.data === undefined) throw new Error(`the hub refused: ${body.errors?.[0]?.extensions?.code ?? res.status}: ${body.errors?.[0]?.message ?? ''}`);
  return body.data;
}

export async function runReferral(options: { hubUrl: string; hubEnv: Record<string, string>; agency: string; node: { slug: string; url: string; apiKey: string }; fingerprint: string }): Promise<ReferralOutcome> {
  await cli(['agency', 'competence', options.agency, '--commodity', 'IVORY', 'RHINO_HORN', 'PANGOLIN', '--jurisdiction', 'CN'], options.hubEnv);
  const token = (await cli(['token', 'issue', '--agency', options.agency, '--sub', 'duty-officer', '--scope', 'referrals:read referrals:act', '--tlp', 'AMBER', '--ttl', '1h'], options.hubEnv)).trim();
  const filed = await fetch(`${options.node.url}/v1/referrals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.node.apiKey}` },
    body: JSON.stringify({ sellers: [options.fingerprint], summary: 'Seller offers carved ivory across three platforms; ships from Yunnan', urgency: 'HIGH', commodity: 'IVORY', place: 'CN-YN' }),
  });
  const body = (await filed.json()) as { referrals?: Array<{ referralId: string; agency: string }>; error?: { code: string; message: string } };
  const referral = body.referrals?.find((r) => r.agency === options.agency);
  if (referral === undefined) throw new Error(`the node did not file the referral: ${body.error?.code ?? filed.status} ${body.error?.message ?? ''}`);
  const id = referral.referralId;
  await agencyGraphql(options.hubUrl, token, 'mutation($id: ID!) { acknowledgeReferral(id: $id) { state } }', { id });
  const closed = await agencyGraphql<{ closeReferral: { state: string; result: string } }>(options.hubUrl, token, 'mutation($id: ID!) { closeReferral(id: $id, result: INVESTIGATION_OPENED, note: "Case opened by the demo customs bureau") { state result } }', { id });
  const atNode = await fetch(`${options.node.url}/v1/referrals/${id}`, { headers: { authorization: `Bearer ${options.node.apiKey}` } });
  const seen = ((await atNode.json()) as { referral?: { state: string; result: string | null } }).referral;
  return { referralId: id, member: options.node.slug, state: closed.closeReferral.state, result: closed.closeReferral.result, atNode: seen === undefined ? 'unavailable' : `${seen.state} ${seen.result ?? ''}`.trim() };
}
