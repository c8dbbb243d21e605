import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemberKeyAndCsr, createRootCa, pemToDerCertificates, signMemberCsr } from '../pki/index.js';
import { fixedClock, WildintelError } from '../kernel/index.js';
import { createMemberRequestVerifier, signMemberRequest, type JtiStore } from './index.js';

const HUB = 'https://hub.example.org';
const clock = fixedClock('2026-11-28T12:00:00Z');

function memoryJtis(): JtiStore {
  const seen = new Set<string>();
  return { claim: async (member, jti) => (seen.has(`${member}/${jti}`) ? false : (seen.add(`${member}/${jti}`), true)) };
}

function rejectsWith(promise: Promise<unknown>, code: string, reason?: string): Promise<void> {
  return assert.rejects(promise, (err: unknown) => err instanceof WildintelError && err.code === code && (reason === undefined || err.details?.['reason'] === reason));
}

describe('member request authentication', () => {
  const root = createRootCa({ commonName: 'test root', validityYears: 2, now: new Date('2026-01-01T00:00:00Z') });
  const other = createRootCa({ commonName: 'other root', validityYears: 2, now: new Date('2026-01-01T00:00:00Z') });
  const key = createMemberKeyAndCsr({ member: 'shopmart' });
  const cert = signMemberCsr({ csrPem: key.csrPem, ca: root, now: new Date('2026-06-01T00:00:00Z') });
  const foreignCert = signMemberCsr({ csrPem: key.csrPem, ca: other, now: new Date('2026-06-01T00:00:00Z') });
  let revoked: Date | undefined;
  const verifier = createMemberRequestVerifier({ roots: pemToDerCertificates(root.certPem), isRevoked: () => revoked, clock, audience: HUB, jtis: memoryJtis() });
  const sign = (overrides: Partial<Parameters<typeof signMemberRequest>[0]> = {}) =>
    signMemberRequest({ keyPem: key.keyPem, chainPem: [cert], member: 'shopmart', audience: HUB, now: clock.now(), jti: `jti-${Math.random()}`, ...overrides });

  before(() => (revoked = undefined));

  it('accepts a fresh request and names the member', async () => {
    const principal = await verifier.verify(await sign());
    assert.equal(principal.member, 'shopmart');
  });
  it('refuses a replayed token', async () => {
    const token = await sign({ jti: 'once-only-1' });
    await verifier.verify(token);
    await rejectsWith(verifier.verify(token), 'UNAUTHENTICATED', 'REPLAYED');
  });
  it('refuses a lifetime over 5 minutes', async () => rejectsWith(verifier.verify(await sign({ lifetimeSeconds: 301 })), 'UNAUTHENTICATED', 'LIFETIME_TOO_LONG'));
  it('refuses another audience', async () => rejectsWith(verifier.verify(await sign({ audience: 'https://evil.example' })), 'UNAUTHENTICATED', 'BAD_CLAIMS'));
  it('refuses an expired token', async () => rejectsWith(verifier.verify(await sign({ now: new Date(clock.now().getTime() - 10 * 60_000) })), 'UNAUTHENTICATED', 'EXPIRED'));
  it('refuses a chain from another CA', async () => rejectsWith(verifier.verify(await sign({ chainPem: [foreignCert] })), 'UNTRUSTED_CHAIN'));
  it('refuses a member name the certificate does not carry', async () => rejectsWith(verifier.verify(await sign({ member: 'chatapp' })), 'UNAUTHENTICATED', 'MEMBER_MISMATCH'));
  it('refuses a revoked certificate', async () => {
    revoked = new Date('2026-11-01T00:00:00Z');
    await rejectsWith(verifier.verify(await sign()), 'CERT_REVOKED');
    revoked = undefined;
  });
  it('refuses a token whose signature was tampered with', async () => {
    const [h, p, s] = (await sign()).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    payload['iss'] = payload['sub'] = 'shopmart';
    payload['exp'] = Number(payload['exp']) + 60;
    await rejectsWith(verifier.verify(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`), 'UNAUTHENTICATED', 'BAD_SIGNATURE');
  });
});
