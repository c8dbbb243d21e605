/**
 * Agencies that file disclosure requests in tests: real keys (generateAgencyKeys), registered at
 * the hub like `wildintel agency key` does, tokens from the hub, and requests signed for a token.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { encryptionKeyOf, generateAgencyKeys, signDisclosureRequest, type AgencyKeySet, type DisclosureRequestPayload } from '../../src/disclosure/index.js';
import type { TestFederation } from './federation.js';
import { graphql } from './hub-process.js';

export interface TestAgency {
  readonly slug: string;
  readonly encryptionKeyPem: string;
  readonly signingKeyPem: string;
  readonly publicKeys: AgencyKeySet;
  token(scope?: string, options?: { tlp?: 'AMBER' | 'RED' | 'GREEN'; sub?: string }): Promise<string>;
  /** A request signed for `token` (the defaults fill the rest). */
  sign(token: string, target: DisclosureRequestPayload['target'], extra?: Partial<DisclosureRequestPayload>): Promise<string>;
}

export async function testAgency(fed: TestFederation, slug = 'customs', { register = true } = {}): Promise<TestAgency> {
  const keys = await generateAgencyKeys();
  await fed.hub.services.tokens.addAgency(slug, `${slug} agency`);
  if (register) await fed.hub.services.disclosures.registerAgencyKeys(slug, JSON.stringify(keys.publicKeys));
  return {
    slug,
    ...keys,
    token: (scope = 'indicators:read sellers:read disclosure:request', { tlp = 'AMBER', sub = 'analyst-7' } = {}) => fed.token(scope, { agency: slug, tlp, sub }),
    async sign(token, target, extra = {}) {
      const claims = decodeJwt(token);
      return signDisclosureRequest(
        {
          v: 1,
          requestId: randomUUID(),
          agency: slug,
          analyst: String(claims.sub),
          tokenId: String(claims.jti),
          officer: 'Inspector Li Wei',
          caseId: 'CASE-2026-0042',
          legalBasis: { reference: 'CUS-2026-118', text: 'Customs Law art. 12: investigation of ivory smuggling (法律依据: 海关法第十二条)' },
          target,
          encryptionKid: encryptionKeyOf(keys.publicKeys).kid,
          createdAt: new Date().toISOString(),
          ...extra,
        },
        keys.signingKeyPem,
      );
    },
  };
}

export const FILE_MUTATION = `mutation($r: String!) { fileDisclosureRequest(request: $r) { duplicate request { id expiresAt routes { member state declineReason declineNote } records { step member leafIndex recordSha256 } } } }`;

/** Files a request over GraphQL; the status, data and first error code. */
export async function fileRequest(fed: TestFederation, token: string, jws: string): Promise<{ request?: { id: string; expiresAt: string; routes: Array<{ member: string; state: string }> }; duplicate?: boolean; code?: string; message?: string }> {
  const res = await graphql(fed.hub.url, FILE_MUTATION, { r: jws }, { authorization: `Bearer ${token}` });
  const error = res.body.errors?.[0];
  if (error !== undefined) return { code: String(error.extensions?.['code']), message: error.message };
  return res.body.data!['fileDisclosureRequest'] as { request: { id: string; expiresAt: string; routes: Array<{ member: string; state: string }> }; duplicate: boolean };
}
