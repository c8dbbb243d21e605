import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { DataSource } from 'typeorm';
import { updateReturning } from '../db/index.js';
import type { Commodity, Tlp } from '../indicators/index.js';
import type { Clock, Random } from '../kernel/index.js';
import type { TokenEntry, TransparencyLog } from '../tlog/index.js';
import { createAgencyTokenVerifier, issueAgencyToken, MAX_TOKEN_LIFETIME_S, publicJwk, type AgencyTokenVerifier, type SigningKey } from './agency-token.js';
import { AuthError, parseScopes } from './scopes.js';

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** NOTIFY channel on which a revoked token's jti is announced at commit, to every hub process. */
export const TOKEN_REVOCATIONS_CHANNEL = 'wildintel_token_revocations';
/**
 * How long a token found unrevoked is trusted without asking the database again. Revocations
 * reach every process at once by NOTIFY; this bounds the window should a notification be lost
 * while a listening connection is re-opened.
 */
const UNREVOKED_FOR_MS = 60_000;
const MAX_REMEMBERED = 100_000;

export interface TokenView {
  jti: string;
  agency: string;
  sub: string;
  scope: string;
  tlp: string;
  commodities: string | null;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface TokenServiceDeps {
  readonly db: DataSource;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  readonly random: Random;
  /** The hub's origin: the tokens' `iss`. */
  readonly issuer: string;
  readonly signingKey: KeyObject;
}

/** The kid of an Ed25519 key: its RFC 7638 JWK thumbprint. */
export async function keyId(key: KeyObject): Promise<string> {
  const jwk = createPublicKey(key).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
}

/**
 * Agencies, token issuance (logged as `token` entries: never the token), revocation, and the
 * key set. Rotation: start the hub with a new TOKEN_KEY_FILE; the old public key stays in the
 * JWKS and keeps verifying until 24 h after it was retired, when every token it signed has expired.
 */
export async function createTokenService(deps: TokenServiceDeps) {
  const kid = await keyId(deps.signingKey);
  const signing: SigningKey = { kid, privateKey: deps.signingKey };
  await registerKey(deps, kid);
  let cache: { at: number; keys: Map<string, KeyObject>; jwks: Array<Record<string, string>> } | undefined;
  const liveKeys = async (): Promise<NonNullable<typeof cache>> => {
    const now = deps.clock.now().getTime();
    if (cache !== undefined && now - cache.at < 30_000) return cache;
    const rows: Array<{ kid: string; jwk: string }> = await deps.db.query(`SELECT kid, jwk FROM token_keys WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at`, [new Date(now - MAX_TOKEN_LIFETIME_S * 1000)]);
    const jwks = rows.map((r) => JSON.parse(r.jwk) as Record<string, string>);
    const keys = new Map(jwks.map((j) => [j['kid']!, createPublicKey({ key: j, format: 'jwk' })] as const));
    return (cache = { at: now, keys, jwks });
  };
  // jti → when it was last found unrevoked; Map order is insertion order, so the oldest go first.
  const unrevoked = new Map<string, number>();
  const isRevoked = async (jti: string): Promise<boolean> => {
    const now = deps.clock.now().getTime();
    const checked = unrevoked.get(jti);
    if (checked !== undefined && now - checked < UNREVOKED_FOR_MS) return false;
    // Unknown ids count as revoked: only tokens this hub issued and recorded are accepted.
    const revoked = ((await deps.db.query(`SELECT 1 FROM agency_tokens WHERE jti = $1 AND revoked_at IS NULL`, [jti])) as unknown[]).length === 0;
    unrevoked.delete(jti);
    if (!revoked) {
      if (unrevoked.size >= MAX_REMEMBERED) unrevoked.delete(unrevoked.keys().next().value!);
      unrevoked.set(jti, now);
    }
    return revoked;
  };
  const verifier: AgencyTokenVerifier = createAgencyTokenVerifier({ keys: async () => (await liveKeys()).keys, issuer: deps.issuer, clock: deps.clock, isRevoked });

  return {
    verifier,
    jwks: async () => ({ keys: (await liveKeys()).jwks }),

    async addAgency(slug: string, name: string): Promise<void> {
      if (!SLUG.test(slug)) throw new AuthError('INVALID_TOKEN_REQUEST', 'the agency slug must be lower-case letters, digits and dashes (2 to 63)');
      if (name.trim().length < 1 || name.length > 200) throw new AuthError('INVALID_TOKEN_REQUEST', 'the agency name must be 1 to 200 characters');
      await deps.db.query(`INSERT INTO agencies (slug, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name`, [slug, name.trim(), deps.clock.now()]);
    },

    async listAgencies(): Promise<Array<{ slug: string; name: string }>> {
      return deps.db.query(`SELECT slug, name FROM agencies ORDER BY slug`);
    },

    /** Issues a token and logs its issuance in the same transaction. */
    async issue(input: { agency: string; sub: string; scope: string; tlp: Tlp; commodities?: readonly Commodity[]; ttlSeconds: number }): Promise<{ token: string; jti: string; expiresAt: Date; leafIndex: number }> {
      const scopes = parseScopes(input.scope);
      const now = deps.clock.now();
      const jti = deps.random.uuid();
      const token = await issueAgencyToken({ ...input, scopes }, { key: signing, issuer: deps.issuer, now, jti });
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + input.ttlSeconds;
      const leafIndex = await deps.db.transaction(async (tx) => {
        const agency: unknown[] = await tx.query(`SELECT 1 FROM agencies WHERE slug = $1`, [input.agency]);
        if (agency.length === 0) throw new AuthError('UNKNOWN_AGENCY', `no agency ${input.agency}: add it first (wildintel agency add)`);
        await tx.query(
          `INSERT INTO agency_tokens (jti, agency, sub, scope, tlp, commodities, kid, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [jti, input.agency, input.sub, scopes.join(' '), input.tlp, input.commodities?.length ? input.commodities.join(' ') : null, kid, new Date(iat * 1000), new Date(exp * 1000)],
        );
        const commodities = input.commodities?.length ? input.commodities.join(' ') : null;
        return (await deps.log.append(tx, [tokenEntry({ jti, agency: input.agency, scope: scopes.join(' '), tlp: input.tlp, commodities, exp })])).firstIndex;
      });
      return { token, jti, expiresAt: new Date(exp * 1000), leafIndex };
    },

    /**
     * Revokes a token: refused from the next request on, by every hub process (NOTIFY at commit),
     * and logged as a `token` entry with `action: 'revoke'` in the same transaction.
     */
    async revoke(jti: string): Promise<{ jti: string; revokedAt: Date; leafIndex: number }> {
      const now = deps.clock.now();
      const leafIndex = await deps.db.transaction(async (tx) => {
        const rows = await updateReturning<TokenRow>(
          tx,
          `UPDATE agency_tokens SET revoked_at = $2 WHERE jti = $1 AND revoked_at IS NULL RETURNING jti, agency, scope, tlp, commodities, expires_at AS "expiresAt"`,
          [jti, now],
        );
        const row = rows[0];
        if (row === undefined) throw new AuthError('UNKNOWN_TOKEN', `no live token with id ${jti}`);
        await tx.query(`SELECT pg_notify($1, $2)`, [TOKEN_REVOCATIONS_CHANNEL, jti]);
        const exp = Math.floor(new Date(row.expiresAt).getTime() / 1000);
        return (await deps.log.append(tx, [{ ...tokenEntry({ ...row, exp }), action: 'revoke' }])).firstIndex;
      });
      unrevoked.delete(jti);
      return { jti, revokedAt: now, leafIndex };
    },

    /**
     * Whether a token verified earlier is still good now: not expired, not revoked. For sessions
     * that outlive the request that authenticated them (graphql-ws), checked at each delivery.
     */
    async isLive(token: { jti: string; exp: number }): Promise<boolean> {
      return token.exp * 1000 > deps.clock.now().getTime() && !(await isRevoked(token.jti));
    },

    /** Forgets that a token was found unrevoked (another process revoked it). */
    forget(jti: string): void {
      unrevoked.delete(jti);
    },

    async list(): Promise<TokenView[]> {
      return deps.db.query(
        `SELECT jti, agency, sub, scope, tlp, commodities, issued_at AS "issuedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt" FROM agency_tokens ORDER BY issued_at DESC LIMIT 1000`,
      );
    },
  };
}

export type TokenService = Awaited<ReturnType<typeof createTokenService>>;

interface TokenRow {
  jti: string;
  agency: string;
  scope: string;
  tlp: string;
  commodities: string | null;
  expiresAt: Date | string;
}

/** What the log says of a token: its ids, scopes, TLP, commodities and expiry, never the token. */
function tokenEntry(t: { jti: string; agency: string; scope: string; tlp: string; commodities: string | null; exp: number }): Omit<TokenEntry, 'ts'> {
  return { kind: 'token', jti: t.jti, agency: t.agency, scope: t.scope, exp: t.exp, tlp: t.tlp as Tlp, ...(t.commodities === null ? {} : { commodities: t.commodities }) };
}

async function registerKey(deps: TokenServiceDeps, kid: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.query(`INSERT INTO token_keys (kid, jwk, created_at) VALUES ($1, $2, $3) ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`, [kid, JSON.stringify(publicJwk(deps.signingKey, kid)), now]);
    await tx.query(`UPDATE token_keys SET retired_at = $2 WHERE kid <> $1 AND retired_at IS NULL`, [kid, now]);
  });
}
