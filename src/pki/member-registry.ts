import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../kernel/index.js';
import { WildintelError } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';
import { REVOCATION_REASONS } from '../tlog/index.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';
import { verifyChain } from './chain.js';
import { memberStatus } from './revocation-rule.js';
import { assertMemberSlug, memberDnsName } from './member-slug.js';

export type MemberRegistryErrorCode = 'UNKNOWN_MEMBER' | 'MEMBER_MISMATCH' | 'INVALID_REVOCATION' | 'INVALID_MEMBER_NAME' | 'NOTHING_TO_REVOKE';
export class MemberRegistryError extends WildintelError<MemberRegistryErrorCode> {}

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface MemberCertificateView {
  fingerprint: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  enrolledAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
}

export interface MemberView {
  slug: string;
  name: string;
  status: string;
  enrolledAt: Date;
  certificates: MemberCertificateView[];
}

export interface MemberRegistryDeps {
  readonly db: DataSource;
  readonly roots: readonly Uint8Array[];
  readonly log: TransparencyLog;
  readonly clock: Clock;
}

/**
 * Enrolment and revocation on the hub. Every change is a governance action and goes
 * into the transparency log in the same transaction (design item 3: `member`, `revocation`).
 */
export function createMemberRegistry(deps: MemberRegistryDeps) {
  return {
    /** Registers a member (or adds a certificate to it: rotation). The certificate must chain to the root and be valid now. */
    async enroll(input: { slug: string; name: string; certPem: string }): Promise<{ member: MemberView; leafIndex: number; added: boolean }> {
      assertMemberSlug(input.slug);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 200) throw new MemberRegistryError('INVALID_MEMBER_NAME', 'the member name must be 1 to 200 characters');
      const cert = parseCertificate(input.certPem);
      const now = deps.clock.now();
      verifyChain({ chain: [cert.der], roots: deps.roots, at: now, isRevoked: () => undefined });
      assertNames(cert, input.slug);
      const result = await deps.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO members (slug, name, enrolled_at) VALUES ($1, $2, $3) ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name`, [input.slug, name, now]);
        const inserted: unknown[] = await tx.query(
          `INSERT INTO member_certificates (fingerprint, member, serial, der, not_before, not_after, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint`,
          [cert.fingerprintSha256, input.slug, cert.serialHex, Buffer.from(cert.der), cert.notBefore, cert.notAfter, now],
        );
        if (inserted.length === 0) return { leafIndex: -1, added: false };
        const appended = await deps.log.append(tx, [{ kind: 'member', member: input.slug, cert: Buffer.from(cert.der).toString('base64') }]);
        return { leafIndex: appended.firstIndex, added: true };
      });
      return { member: (await getMember(deps.db, input.slug))!, ...result };
    },

    /** Revokes the member's unrevoked certificates (or one, by serial) as of now. */
    async revoke(input: { slug: string; reason?: string; serial?: string }): Promise<{ revoked: string[]; revokedAt: Date; leafIndex: number }> {
      const reason = (input.reason ?? 'unspecified') as RevocationReason;
      if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) {
        throw new MemberRegistryError('INVALID_REVOCATION', `reason must be one of ${REVOCATION_REASONS.join(', ')}`);
      }
      const now = deps.clock.now();
      return deps.db.transaction(async (tx) => {
        await requireMember(tx, input.slug);
        // The rows are locked first: a batch being ingested holds its certificate's row (FOR SHARE)
        // until it is logged, so each batch is logged wholly before or wholly after the revocation.
        const rows: Array<{ serial: string }> = await tx.query(
          `SELECT serial FROM member_certificates WHERE member = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR serial = $2) ORDER BY serial FOR UPDATE`,
          [input.slug, input.serial ?? null],
        );
        if (rows.length === 0) throw new MemberRegistryError('NOTHING_TO_REVOKE', `member ${input.slug} has no unrevoked certificate${input.serial ? ` with serial ${input.serial}` : ''}`);
        const serials = rows.map((r) => r.serial);
        const { firstIndex } = await deps.log.append(tx, serials.map((serial) => ({ kind: 'revocation' as const, member: input.slug, serial, reason })));
        await tx.query(
          `UPDATE member_certificates c SET revoked_at = $3, revocation_reason = $4, revoked_leaf_index = r.idx
           FROM unnest($1::text[], $2::bigint[]) AS r(serial, idx) WHERE c.serial = r.serial`,
          [serials, serials.map((_, i) => firstIndex + i), now, reason],
        );
        return { revoked: serials, revokedAt: now, leafIndex: firstIndex };
      });
    },

    get: (slug: string) => getMember(deps.db, slug),
    list: () => listMembers(deps.db),
  };
}

export type MemberRegistry = ReturnType<typeof createMemberRegistry>;

function assertNames(cert: ParsedCertificate, slug: string): void {
  if (cert.subjectCN !== slug || !cert.dnsNames.includes(memberDnsName(slug))) {
    throw new MemberRegistryError('MEMBER_MISMATCH', `the certificate names ${cert.subjectCN ?? '(no CN)'}, not member ${slug} (CN and DNS SAN ${memberDnsName(slug)})`);
  }
  if (cert.isCa) throw new MemberRegistryError('MEMBER_MISMATCH', 'a CA certificate cannot be enrolled as a member certificate');
}

async function requireMember(db: Pick<EntityManager, 'query'>, slug: string): Promise<void> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM members WHERE slug = $1`, [slug]);
  if (rows.length === 0) throw new MemberRegistryError('UNKNOWN_MEMBER', `no member ${slug} is enrolled`);
}

async function getMember(db: Pick<DataSource, 'query'>, slug: string): Promise<MemberView | undefined> {
  return (await listMembers(db, slug))[0];
}

async function listMembers(db: Pick<DataSource, 'query'>, slug?: string): Promise<MemberView[]> {
  const members: Array<{ slug: string; name: string; status: string; enrolled_at: Date }> = await db.query(
    `SELECT slug, name, status, enrolled_at FROM members WHERE $1::text IS NULL OR slug = $1 ORDER BY slug`,
    [slug ?? null],
  );
  const certs: Array<{ member: string; fingerprint: string; serial: string; not_before: Date; not_after: Date; enrolled_at: Date; revoked_at: Date | null; revocation_reason: string | null }> =
    await db.query(`SELECT member, fingerprint, serial, not_before, not_after, enrolled_at, revoked_at, revocation_reason FROM member_certificates WHERE $1::text IS NULL OR member = $1 ORDER BY enrolled_at`, [slug ?? null]);
  return members.map((m) => {
    const certificates = certs
      .filter((c) => c.member === m.slug)
      .map((c) => ({ fingerprint: c.fingerprint, serial: c.serial, notBefore: c.not_before, notAfter: c.not_after, enrolledAt: c.enrolled_at, revokedAt: c.revoked_at, revocationReason: c.revocation_reason }));
    return { slug: m.slug, name: m.name, status: memberStatus(m.status, certificates), enrolledAt: m.enrolled_at, certificates };
  });
}
