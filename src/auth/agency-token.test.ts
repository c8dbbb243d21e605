import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { fixedClock } from '../kernel/index.js';
import { AuthError, createAgencyTokenVerifier, issueAgencyToken, keyId, type TokenRequest } from './index.js';

const ISSUER = 'https://hub.example.org';
const clock = fixedClock('2026-11-28T12:00:00Z');
const ours = generateKeyPairSync('ed25519').privateKey;
const theirs = generateKeyPairSync('ed25519').privateKey;
const revoked = new Set<string>();

const request: TokenRequest = { agency: 'customs-cn', sub: 'analyst-7', scopes: ['indicators:read', 'match:image'], tlp: 'AMBER', commodities: ['IVORY'], ttlSeconds: 8 * 3600 };

async function setup(): Promise<{ kid: string; verify: (t: string) => Promise<unknown>; issue: (o?: Partial<{ jti: string; now: Date; req: Partial<TokenRequest> }>) => Promise<string> }> {
  const kid = await keyId(ours);
  const keys = new Map<string, KeyObject>([[kid, createPublicKey(ours)]]);
  const verifier = createAgencyTokenVerifier({ keys: async () => keys, issuer: ISSUER, clock, isRevoked: async (jti) => revoked.has(jti) });
  return {
    kid,
    verify: (t) => verifier.verify(t),
    issue: (o = {}) => issueAgencyToken({ ...request, ...o.req }, { key: { kid, privateKey: ours }, issuer: ISSUER, now: o.now ?? clock.now(), jti: o.jti ?? `jti-${Math.random()}` }),
  };
}

const refusedFor = (reason: string) => (err: unknown) => err instanceof AuthError && err.code === 'UNAUTHENTICATED' && err.details?.['reason'] === reason;
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('agency tokens', async () => {
  const t = await setup();
  const claims = async (): Promise<Record<string, unknown>> => JSON.parse(Buffer.from((await t.issue()).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('accept a token this hub issued, with exactly its claims', async () => {
    const principal = (await t.verify(await t.issue({ jti: 'good-1' }))) as { agency: string; sub: string; tlp: string; scopes: Set<string>; commodities: Set<string>; jti: string };
    assert.equal(principal.agency, 'customs-cn');
    assert.equal(principal.sub, 'analyst-7');
    assert.equal(principal.tlp, 'AMBER');
    assert.deepEqual([...principal.scopes], ['indicators:read', 'match:image']);
    assert.deepEqual([...principal.commodities], ['IVORY']);
    assert.equal(principal.jti, 'good-1');
  });

  describe('refuse forgeries', () => {
    it('alg none', async () => {
      await assert.rejects(t.verify(`${b64({ alg: 'none', typ: 'JWT', kid: t.kid })}.${b64(await claims())}.`), refusedFor('BAD_ALGORITHM'));
    });
    it('HS256 signed with our public key as the secret (key confusion)', async () => {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: t.kid })}.${b64(await claims())}`;
      const secret = createPublicKey(ours).export({ type: 'spki', format: 'pem' });
      await assert.rejects(t.verify(`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`), refusedFor('BAD_ALGORITHM'));
    });
    it("another key under our kid", async () => {
      const forged = await new SignJWT(await claims()).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: t.kid }).sign(theirs);
      await assert.rejects(t.verify(forged), refusedFor('BAD_SIGNATURE'));
    });
    it('an unknown kid', async () => {
      const forged = await new SignJWT(await claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'not-ours' }).sign(theirs);
      await assert.rejects(t.verify(forged), refusedFor('UNKNOWN_KEY'));
    });
    it('another issuer', async () => {
      const forged = await new SignJWT({ ...(await claims()), iss: 'https://evil.example' }).setProtectedHeader({ alg: 'EdDSA', kid: t.kid }).sign(ours);
      await assert.rejects(t.verify(forged), refusedFor('WRONG_ISSUER'));
    });
    it('a wrong audience', async () => {
      const forged = await new SignJWT({ ...(await claims()), aud: 'someone-else' }).setProtectedHeader({ alg: 'EdDSA', kid: t.kid }).sign(ours);
      await assert.rejects(t.verify(forged), refusedFor('WRONG_AUDIENCE'));
    });
    it('an expired token', async () => {
      await assert.rejects(t.verify(await t.issue({ now: new Date(clock.now().getTime() - 9 * 3600_000) })), refusedFor('EXPIRED'));
    });
    it('a token expired one second ago, never seen before (no clock tolerance on exp)', async () => {
      await assert.rejects(t.verify(await t.issue({ now: new Date(clock.now().getTime() - 8 * 3600_000 - 1000) })), refusedFor('EXPIRED'));
      await assert.rejects(t.verify(await t.issue({ now: new Date(clock.now().getTime() - 8 * 3600_000) })), refusedFor('EXPIRED'), 'exp equal to now is expired');
    });
    it('a token not yet valid', async () => {
      await assert.rejects(t.verify(await t.issue({ now: new Date(clock.now().getTime() + 3600_000) })), refusedFor('NOT_YET_VALID'));
    });
    it('a lifetime over 24 hours, even when signed by our key', async () => {
      const c = await claims();
      const long = await new SignJWT({ ...c, exp: Number(c['iat']) + 25 * 3600 }).setProtectedHeader({ alg: 'EdDSA', kid: t.kid }).sign(ours);
      await assert.rejects(t.verify(long), refusedFor('LIFETIME_TOO_LONG'));
    });
    it('a revoked token', async () => {
      const token = await t.issue({ jti: 'revoke-me' });
      revoked.add('revoke-me');
      await assert.rejects(t.verify(token), refusedFor('REVOKED'));
    });
    it('tampered claims (a higher TLP) under the original signature', async () => {
      const [h, p, s] = (await t.issue()).split('.');
      const edited = { ...(JSON.parse(Buffer.from(p!, 'base64url').toString()) as object), tlp: 'RED' };
      await assert.rejects(t.verify(`${h}.${b64(edited)}.${s}`), refusedFor('BAD_SIGNATURE'));
    });
    it('an unknown scope or a bad TLP', async () => {
      const c = await claims();
      for (const bad of [{ scope: 'indicators:read root' }, { tlp: 'PURPLE' }, { agency: 'Not A Slug' }]) {
        const forged = await new SignJWT({ ...c, ...bad }).setProtectedHeader({ alg: 'EdDSA', kid: t.kid }).sign(ours);
        await assert.rejects(t.verify(forged), refusedFor('BAD_CLAIMS'));
      }
    });
  });

  it('refuses to issue a lifetime over 24 hours', async () => {
    await assert.rejects(t.issue({ req: { ttlSeconds: 24 * 3600 + 1 } }), (e: unknown) => e instanceof AuthError && e.code === 'INVALID_TOKEN_REQUEST');
  });
});

describe('a token verified before (remembered, its signature not checked again)', async () => {
  const kid = await keyId(ours);
  const own = fixedClock('2026-11-28T12:00:00Z');
  const keys = new Map<string, KeyObject>([[kid, createPublicKey(ours)]]);
  const gone = new Set<string>();
  const verifier = createAgencyTokenVerifier({ keys: async () => keys, issuer: ISSUER, clock: own, isRevoked: async (jti) => gone.has(jti) });
  const issue = (jti: string, ttlSeconds = 3600): Promise<string> => issueAgencyToken({ ...request, ttlSeconds }, { key: { kid, privateKey: ours }, issuer: ISSUER, now: own.now(), jti });
  const twice = async (token: string): Promise<void> => {
    await verifier.verify(token);
    await verifier.verify(token);
  };

  it('is refused the second it expires, with no tolerance (as on first use)', async () => {
    const token = await issue('cached-expiry', 60);
    await twice(token);
    own.advance(59_999);
    await verifier.verify(token);
    own.advance(1);
    await assert.rejects(verifier.verify(token), refusedFor('EXPIRED'));
  });

  it('is refused once revoked', async () => {
    const token = await issue('cached-revoked');
    await twice(token);
    gone.add('cached-revoked');
    await assert.rejects(verifier.verify(token), refusedFor('REVOKED'));
  });

  it('is refused once the key that signed it is no longer accepted', async () => {
    const token = await issue('cached-key');
    await twice(token);
    keys.delete(kid);
    try {
      await assert.rejects(verifier.verify(token), refusedFor('UNKNOWN_KEY'));
    } finally {
      keys.set(kid, createPublicKey(ours));
    }
  });

  it('lends nothing to an edited copy: tampered claims under its signature are still refused', async () => {
    const token = await issue('cached-tamper');
    await twice(token);
    const [h, p, s] = token.split('.');
    const edited = { ...(JSON.parse(Buffer.from(p!, 'base64url').toString()) as object), tlp: 'RED' };
    await assert.rejects(verifier.verify(`${h}.${b64(edited)}.${s}`), refusedFor('BAD_SIGNATURE'));
  });
});
