/**
 * The Extended Key Usage of a member certificate (RFC 5280 §4.2.1.12): "signs wildintel batches
 * and member requests", and nothing else — not serverAuth, so a member's key and certificate
 * never pass as a TLS server for `<slug>.members.wildintel`.
 *
 * The OID is `1.3.6.1.4.1.<PEN>.1.1` (iso.org.dod.internet.private.enterprise.<wildintel>.pki.
 * memberSigning), under the IANA Private Enterprise Number arc, where an OID for one's own
 * protocol belongs. wildintel has no PEN yet: 99999 is a PLACEHOLDER, above every number IANA
 * has assigned so far (they are assigned in order; about 65,000 in 2026). The coalition should
 * register a PEN (free, https://pen.iana.org) before production; the hub can then accept both
 * OIDs while members rotate their certificates. A UUID-derived OID under 2.25 would need no
 * registration, but its 128-bit arc is refused by node-forge, which parses our certificates.
 */
export const WILDINTEL_PEN = 99999;
export const MEMBER_SIGNING_EKU = `1.3.6.1.4.1.${WILDINTEL_PEN}.1.1`;

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

export type EkuProblem = 'EKU_MISSING' | 'EKU_TOO_BROAD';

/**
 * What is wrong with a signing certificate's EKU, as OpenSSL reads it (`X509Certificate.keyUsage`:
 * the EKU OIDs, undefined without the extension): it must name member signing; serverAuth or
 * anyExtendedKeyUsage beside it make it good for TLS too.
 */
export function memberEkuProblem(ekuOids: readonly string[] | undefined): EkuProblem | undefined {
  if (ekuOids === undefined || !ekuOids.includes(MEMBER_SIGNING_EKU)) return 'EKU_MISSING';
  if (ekuOids.includes(SERVER_AUTH) || ekuOids.includes(ANY_EXTENDED_KEY_USAGE)) return 'EKU_TOO_BROAD';
  return undefined;
}

/** The extension as forge builds it: `oids` are dotted OIDs or forge's names (serverAuth, clientAuth…). */
export function extendedKeyUsageExtension(oids: readonly string[]): Record<string, unknown> {
  return { name: 'extKeyUsage', critical: false, ...Object.fromEntries(oids.map((oid) => [oid, true])) };
}
