/**
 * Warninglists, as MISP has them (github.com/MISP/misp-warninglists): federation lists of benign
 * phrases and of generic terms that suppress a keyword match. Pure: no I/O, no clock.
 *
 * A list is `{name, version, kind, description, entries}`; `kind` is `phrases` (a hit lying
 * wholly inside one of these in the text is no match: `象牙` inside `象牙白` the colour, `ivory`
 * inside "Ivory Coast") or `generic` (a hit on a keyword made only of these terms is no match, as
 * the specificity rule would have refused it). Entries are kept normalized, unique and sorted,
 * so two publishers of the same list get the same bytes, and `sha256` (base64url of SHA-256 over
 * the RFC 8785 JSON of the list) is what the hub's log entry commits to.
 */
import { z } from 'zod';
import { normalizeKeyword } from '../indicators/index.js';
import { sha256Base64url, WildintelError } from '../kernel/index.js';
import { canonicalBytes } from '../provenance/index.js';

export const WARNINGLIST_KINDS = ['phrases', 'generic'] as const;
export type WarninglistKind = (typeof WARNINGLIST_KINDS)[number];

export interface Warninglist {
  /** A slug, as member and agency names are (it goes into a log entry). */
  readonly name: string;
  /** Grows with each publication of the list; the highest version of a name is in effect. */
  readonly version: number;
  readonly kind: WarninglistKind;
  readonly description: string;
  /** Normalized (keyword-normalization.ts), unique, sorted by code unit. */
  readonly entries: readonly string[];
}

export const MAX_WARNINGLIST_ENTRIES = 10_000;
const MAX_ENTRY_LENGTH = 200;

export type GuardErrorCode = 'INVALID_WARNINGLIST' | 'WARNINGLIST_VERSION_NOT_NEWER' | 'WARNINGLIST_MISMATCH';
export class GuardError extends WildintelError<GuardErrorCode> {}

const wire = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must match [a-z0-9][a-z0-9-]{1,62}'),
  version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  kind: z.enum(WARNINGLIST_KINDS),
  description: z.string().max(1000).default(''),
  entries: z.array(z.string().min(1).max(4 * MAX_ENTRY_LENGTH)).min(1).max(MAX_WARNINGLIST_ENTRIES),
});

/**
 * Checks a list as a publisher wrote it and returns it in canonical form (entries normalized,
 * unique, sorted). Throws INVALID_WARNINGLIST naming the field.
 * @example parseWarninglist({ name: 'benign', version: 1, kind: 'phrases', entries: ['Ivory Coast'] }).entries → ['ivorycoast']
 */
export function parseWarninglist(input: unknown): Warninglist {
  const parsed = wire.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'list';
    throw new GuardError('INVALID_WARNINGLIST', `${field}: ${issue?.message ?? 'invalid'}`, { details: { field } });
  }
  const entries = new Set<string>();
  parsed.data.entries.forEach((text, i) => {
    const entry = normalizeKeyword(text);
    if (entry === '' || [...entry].length > MAX_ENTRY_LENGTH) {
      throw new GuardError('INVALID_WARNINGLIST', `entries.${i}: must keep 1–${MAX_ENTRY_LENGTH} characters once normalized`, { details: { field: `entries.${i}` } });
    }
    entries.add(entry);
  });
  return { ...parsed.data, entries: [...entries].sort() };
}

/** base64url SHA-256 of the RFC 8785 JSON of the canonical list: what a `warninglist` log entry holds. */
export function warninglistSha256(list: Warninglist): string {
  return sha256Base64url(canonicalBytes(canonicalList(list)));
}

/** The fields a list's hash covers, and nothing a store or a server added to it. */
export function canonicalList(list: Warninglist): Warninglist {
  const { name, version, kind, description, entries } = list;
  return { name, version, kind, description, entries };
}

/** For each name, the list of the highest version. */
export function listsInEffect(lists: Iterable<Warninglist>): Warninglist[] {
  const byName = new Map<string, Warninglist>();
  for (const l of lists) if ((byName.get(l.name)?.version ?? 0) < l.version) byName.set(l.name, l);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
