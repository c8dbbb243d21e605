import { PkiError } from './errors.js';

/** The same rule as the `members_slug_format` CHECK constraint in the migrations. */
const MEMBER_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** DNS zone under which every member certificate names its slug (design.md item 2). */
export const MEMBER_DNS_SUFFIX = '.members.wildintel';

export function isMemberSlug(value: unknown): value is string {
  return typeof value === 'string' && MEMBER_SLUG.test(value);
}

export function assertMemberSlug(value: unknown): asserts value is string {
  if (!isMemberSlug(value)) {
    throw new PkiError('INVALID_MEMBER_SLUG', 'member slug must match [a-z0-9][a-z0-9-]{1,62}', {
      details: { slug: typeof value === 'string' ? value.slice(0, 80) : typeof value },
    });
  }
}

/** `acme` → `acme.members.wildintel`, the DNS SAN a member certificate carries. */
export function memberDnsName(slug: string): string {
  return `${slug}${MEMBER_DNS_SUFFIX}`;
}
