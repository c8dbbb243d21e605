import { X509Certificate } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Clock } from '../kernel/index.js';
import { createChainVerifier, pemToDerCertificates, type RevocationLookup } from '../pki/index.js';
import { createPrivateKey } from 'node:crypto';
import { ProvenanceError } from './errors.js';
import { assertNamesMember } from './sign-batch.js';

/** design.md item 7: member requests live at most 5 minutes. */
export const MAX_MEMBER_REQUEST_LIFETIME_S = 300;
const TYP = 'wildintel-member+jwt';
const ALG = 'PS256';

/**
 * A member authenticates a request (reading the feed, recording an opinion) with a short JWT
 * signed by its own key, its certificate chain in `x5c`: the same PKI as batches, no shared secret.
 * `iss` = `sub` = the member slug, `aud` = the hub's origin.
 */
export async function signMemberRequest(options: { keyPem: string; chainPem: readonly string[]; member: string; audience: string; now: Date; jti: string; lifetimeSeconds?: number }): Promise<string> {
  const iat = Math.floor(options.now.getTime() / 1000);
  const x5c = options.chainPem.flatMap((pem) => pemToDerCertificates(pem)).map((der) => Buffer.from(der).toString('base64'));
  return new SignJWT({})
    .setProtectedHeader({ alg: ALG, typ: TYP, x5c })
    .setIssuer(options.member)
    .setSubject(options.member)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? 120))
    .setJti(options.jti)
    .sign(createPrivateKey(options.keyPem));
}

/** Remembers jtis until they expire; `false` when the jti was seen before (a replay). */
export interface JtiStore {
  claim(member: string, jti: string, expiresAt: Date): Promise<boolean>;
}

export interface MemberPrincipal {
  readonly kind: 'member';
  readonly member: string;
  readonly leafFingerprintSha256: string;
  readonly jti: string;
}

function unauthenticated(reason: string, message: string, cause?: unknown): ProvenanceError {
  return new ProvenanceError('UNAUTHENTICATED', message, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

/** Verifies member request JWTs: chain to the root now, not revoked, signature, names, audience, lifetime, replay. */
export function createMemberRequestVerifier(options: { roots: readonly Uint8Array[]; isRevoked: RevocationLookup; clock: Clock; audience: string; jtis: JtiStore }) {
  const chains = createChainVerifier({ roots: options.roots });
  return {
    async verify(token: string): Promise<MemberPrincipal> {
      const x5c = readX5c(token);
      const now = options.clock.now();
      const chain = chains.verify({ chain: x5c, at: now, isRevoked: options.isRevoked });
      const payload = await verifyJwt(token, chain.leafPublicKey, options.audience, now);
      const member = payload.iss;
      if (typeof member !== 'string' || payload.sub !== member) throw unauthenticated('BAD_CLAIMS', 'iss and sub must both be the member slug');
      try {
        assertNamesMember(chain.leaf, member);
      } catch (cause) {
        throw unauthenticated('MEMBER_MISMATCH', `the certificate does not name member ${member}`, cause);
      }
      const { iat, exp, jti } = payload;
      if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_MEMBER_REQUEST_LIFETIME_S) {
        throw unauthenticated('LIFETIME_TOO_LONG', `a member request may live at most ${MAX_MEMBER_REQUEST_LIFETIME_S} s`);
      }
      if (typeof jti !== 'string' || jti.length < 8 || jti.length > 128) throw unauthenticated('BAD_CLAIMS', 'jti must be 8 to 128 characters');
      if (!(await options.jtis.claim(member, jti, new Date(exp * 1000)))) throw unauthenticated('REPLAYED', 'this request token was already used');
      return { kind: 'member', member, leafFingerprintSha256: chain.leaf.fingerprintSha256, jti };
    },
  };
}

export type MemberRequestVerifier = ReturnType<typeof createMemberRequestVerifier>;

function readX5c(token: string): Uint8Array[] {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw unauthenticated('MALFORMED', 'the token is not a compact JWT', cause);
  }
  if (header.alg !== ALG || header.typ !== TYP) throw unauthenticated('BAD_ALGORITHM', `member requests use alg ${ALG} and typ ${TYP}`);
  if (!Array.isArray(header.x5c) || header.x5c.length === 0 || header.x5c.length > 5) throw unauthenticated('MALFORMED', 'x5c must list the certificate chain');
  return header.x5c.map((item) => {
    if (typeof item !== 'string') throw unauthenticated('MALFORMED', 'x5c items are base64 DER');
    const der = Buffer.from(item, 'base64');
    new X509Certificate(der); // throws on garbage before the chain verifier sees it
    return new Uint8Array(der);
  });
}

async function verifyJwt(token: string, key: Parameters<typeof jwtVerify>[1] & object, audience: string, now: Date) {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [ALG], typ: TYP, audience, currentDate: now, clockTolerance: 30, requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'] });
    return payload;
  } catch (cause) {
    if (cause instanceof joseErrors.JWTExpired) throw unauthenticated('EXPIRED', 'the request token has expired', cause);
    if (cause instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated('BAD_CLAIMS', `claim ${cause.claim} is not acceptable: ${cause.reason}`, cause);
    throw unauthenticated('BAD_SIGNATURE', 'the request token does not verify with the certificate key', cause);
  }
}
