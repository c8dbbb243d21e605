import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { COMMODITIES, isTlp, type Commodity, type Tlp } from '../indicators/index.js';
import { sha256Base64url, type Clock } from '../kernel/index.js';
import { AuthError, parseScopes, type Scope } from './scopes.js';

/** design.md item 6: a token lives at most 24 hours. */
export const MAX_TOKEN_LIFETIME_S = 24 * 3600;
export const TOKEN_AUDIENCE = 'wildintel';
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const JTI = /^[A-Za-z0-9._~-]{1,128}$/;

export interface AgencyPrincipal {
  readonly kind: 'agency';
  readonly agency: string;
  readonly sub: string;
  readonly scopes: ReadonlySet<Scope>;
  readonly tlp: Tlp;
  readonly commodities?: ReadonlySet<Commodity>;
  readonly jti: string;
  readonly exp: number;
  /** The hub key that signed the token. */
  readonly kid: string;
}

export interface TokenRequest {
  agency: string;
  sub: string;
  scopes: readonly Scope[];
  tlp: Tlp;
  commodities?: readonly Commodity[];
  ttlSeconds: number;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export async function issueAgencyToken(req: TokenRequest, options: { key: SigningKey; issuer: string; now: Date; jti: string }): Promise<string> {
  if (!Number.isInteger(req.ttlSeconds) || req.ttlSeconds < 60 || req.ttlSeconds > MAX_TOKEN_LIFETIME_S) {
    throw new AuthError('INVALID_TOKEN_REQUEST', `the lifetime must be from 60 s to ${MAX_TOKEN_LIFETIME_S} s (24 h)`);
  }
  if (!SLUG.test(req.agency)) throw new AuthError('INVALID_TOKEN_REQUEST', 'agency must be a slug');
  if (req.sub.length < 1 || req.sub.length > 128) throw new AuthError('INVALID_TOKEN_REQUEST', 'sub (the analyst) must be 1 to 128 characters');
  const iat = Math.floor(options.now.getTime() / 1000);
  return new SignJWT({ agency: req.agency, scope: req.scopes.join(' '), tlp: req.tlp, ...(req.commodities?.length ? { commodities: [...req.commodities] } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: options.key.kid })
    .setIssuer(options.issuer)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(req.sub)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + req.ttlSeconds)
    .setJti(options.jti)
    .sign(options.key.privateKey);
}

function refuse(reason: string, message: string, cause?: unknown): AuthError {
  return new AuthError('UNAUTHENTICATED', message, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

export interface TokenVerifierOptions {
  /** Public keys by kid: the current key and retired ones whose tokens may still be alive. */
  readonly keys: () => Promise<ReadonlyMap<string, KeyObject>>;
  readonly issuer: string;
  readonly clock: Clock;
  readonly isRevoked: (jti: string) => Promise<boolean>;
}

/** Tokens whose signature and claims were verified, kept for their repeat requests. */
const VERIFIED_CACHE_SIZE = 10_000;
/**
 * On `nbf` only: a token one hub process issued may reach another whose clock is a little behind.
 * Expiry has none (docs/agency-api.md): the hub that issued the token is the clock it expires by,
 * and an expired token is refused at once on every path (GraphQL, TAXII, MISP), see {@link hasExpired}.
 */
const NBF_TOLERANCE_S = 30;

/** RFC 7519 §4.1.4: the current time must be before `exp`; decided here for every path, no tolerance. */
export function hasExpired(exp: number, now: Date): boolean {
  return now.getTime() >= exp * 1000;
}

interface VerifiedToken {
  readonly key: KeyObject;
  readonly principal: AgencyPrincipal;
  readonly nbf: number;
}

/**
 * Verifies agency tokens: a guard-clause ladder, every refusal UNAUTHENTICATED with a reason.
 *
 * An analyst's client sends the same token with every request, and its Ed25519 signature check
 * was a sixth of the hub's CPU per request. So a token that passed every check is remembered by
 * the SHA-256 of its exact text (the bearer secret itself is not kept): a repeat skips the
 * signature, but only if the key that verified it is still one this hub accepts, and the time
 * claims pass again against the clock (anything else takes the full path, which gives the
 * refusal). Revocation is checked on every request either way.
 */
export function createAgencyTokenVerifier(options: TokenVerifierOptions) {
  const verified = new Map<string, VerifiedToken>();

  const stillValid = async (token: string): Promise<AgencyPrincipal | undefined> => {
    const hit = verified.get(sha256Base64url(token));
    if (hit === undefined) return undefined;
    const now = Math.floor(options.clock.now().getTime() / 1000);
    const keys = await options.keys();
    const current = keys.get(hit.principal.kid) === hit.key && hit.nbf <= now + NBF_TOLERANCE_S && !hasExpired(hit.principal.exp, options.clock.now());
    return current ? hit.principal : undefined;
  };

  const verifyFully = async (token: string): Promise<AgencyPrincipal> => {
    const { kid, key } = await keyFor(token, options);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: options.issuer,
        audience: TOKEN_AUDIENCE,
        currentDate: options.clock.now(),
        clockTolerance: NBF_TOLERANCE_S,
        requiredClaims: ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti'],
      }));
    } catch (cause) {
      throw joseRefusal(cause);
    }
    // jose applies its tolerance to exp as well; expiry is strict.
    if (typeof payload.exp === 'number' && hasExpired(payload.exp, options.clock.now())) throw refuse('EXPIRED', 'the token has expired');
    const principal = toPrincipal(payload, kid);
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(sha256Base64url(token), { key, principal, nbf: payload.nbf! });
    return principal;
  };

  return {
    async verify(token: string): Promise<AgencyPrincipal> {
      const principal = (await stillValid(token)) ?? (await verifyFully(token));
      if (await options.isRevoked(principal.jti)) throw refuse('REVOKED', 'this token was revoked');
      return principal;
    },
  };
}

export type AgencyTokenVerifier = ReturnType<typeof createAgencyTokenVerifier>;

async function keyFor(token: string, options: TokenVerifierOptions): Promise<{ kid: string; key: KeyObject }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw refuse('MALFORMED', 'the token is not a compact JWT', cause);
  }
  if (header.alg !== 'EdDSA') throw refuse('BAD_ALGORITHM', 'agency tokens are signed with EdDSA only');
  const kid = header.kid;
  const key = typeof kid === 'string' ? (await options.keys()).get(kid) : undefined;
  if (kid === undefined || key === undefined) throw refuse('UNKNOWN_KEY', 'the token was not signed by a key of this hub');
  return { kid, key };
}

function joseRefusal(cause: unknown): AuthError {
  if (cause instanceof joseErrors.JWTExpired) return refuse('EXPIRED', 'the token has expired', cause);
  if (cause instanceof joseErrors.JWTClaimValidationFailed) {
    const reason = cause.claim === 'iss' ? 'WRONG_ISSUER' : cause.claim === 'aud' ? 'WRONG_AUDIENCE' : cause.claim === 'nbf' ? 'NOT_YET_VALID' : 'BAD_CLAIMS';
    return refuse(reason, `claim ${cause.claim} is not acceptable: ${cause.reason}`, cause);
  }
  if (cause instanceof joseErrors.JOSEAlgNotAllowed) return refuse('BAD_ALGORITHM', 'agency tokens are signed with EdDSA only', cause);
  if (cause instanceof joseErrors.JWSSignatureVerificationFailed) return refuse('BAD_SIGNATURE', 'the token signature does not verify', cause);
  return refuse('MALFORMED', 'the token cannot be read', cause);
}

function toPrincipal(p: Record<string, unknown>, kid: string): AgencyPrincipal {
  const { agency, sub, tlp, commodities, jti, iat, exp } = p;
  if (typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > MAX_TOKEN_LIFETIME_S) throw refuse('LIFETIME_TOO_LONG', 'a token may live at most 24 hours');
  if (typeof agency !== 'string' || !SLUG.test(agency)) throw refuse('BAD_CLAIMS', 'agency must be an agency slug');
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw refuse('BAD_CLAIMS', 'sub must name the analyst');
  if (!isTlp(tlp)) throw refuse('BAD_CLAIMS', 'tlp must be a TLP label');
  if (typeof jti !== 'string' || !JTI.test(jti)) throw refuse('BAD_CLAIMS', 'jti is malformed');
  let scopes: Scope[];
  try {
    scopes = parseScopes(p['scope']);
  } catch (cause) {
    throw refuse('BAD_CLAIMS', `scope: ${(cause as Error).message}`, cause);
  }
  if (commodities !== undefined && (!Array.isArray(commodities) || commodities.some((c) => !(COMMODITIES as readonly unknown[]).includes(c)))) {
    throw refuse('BAD_CLAIMS', 'commodities must list known commodities');
  }
  return {
    kind: 'agency',
    agency,
    sub,
    scopes: new Set(scopes),
    tlp,
    ...(commodities === undefined ? {} : { commodities: new Set(commodities as Commodity[]) }),
    jti,
    exp,
    kid,
  };
}

/** Only public key material leaves: the JWK of an Ed25519 key. */
export function publicJwk(key: KeyObject, kid: string): Record<string, string> {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as Record<string, string>;
  return { kty: jwk['kty']!, crv: jwk['crv']!, x: jwk['x']!, kid, alg: 'EdDSA', use: 'sig' };
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}
