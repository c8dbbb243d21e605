import { z } from 'zod';
import type { CompactRange } from './compact-range.js';
import { AuditError } from './errors.js';

/**
 * What an auditor keeps between runs: the last verified checkpoint (size, root, signed note), the
 * right edge of that tree, and what the log itself said about members and revocations.
 */
export interface AuditState {
  readonly origin: string;
  readonly range: CompactRange;
  readonly note: string;
  /** Certificate fingerprint (hex SHA-256 of DER) → member slug, from `member` entries. */
  readonly certificates: Readonly<Record<string, string>>;
  /** Certificate serial → revocation time (ms), from `revocation` entries. */
  readonly revocations: Readonly<Record<string, number>>;
  /** Certificate serial → index of its first `revocation` entry: the revocation rule compares positions. */
  readonly revocationIndexes: Readonly<Record<string, number>>;
  /** Member slug → serials of the certificates its `member` entries enrolled. */
  readonly memberSerials: Readonly<Record<string, readonly string[]>>;
}

const stateFile = z
  .object({
    v: z.literal(1),
    origin: z.string(),
    size: z.number().int().nonnegative(),
    range: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/)),
    note: z.string(),
    certificates: z.record(z.string(), z.string()),
    revocations: z.record(z.string(), z.number()),
    // Absent from state files written before the revocation rule compared log positions.
    revocationIndexes: z.record(z.string(), z.number().int().nonnegative()).default({}),
    memberSerials: z.record(z.string(), z.array(z.string())).default({}),
  })
  .strict();

export function serializeState(state: AuditState): string {
  const { range, ...rest } = state;
  return `${JSON.stringify({ v: 1, ...rest, size: range.size, range: range.hashes.map((h) => Buffer.from(h).toString('base64')) }, null, 2)}\n`;
}

export function parseState(text: string): AuditState {
  let parsed: z.infer<typeof stateFile>;
  try {
    parsed = stateFile.parse(JSON.parse(text));
  } catch (cause) {
    throw new AuditError('INVALID_STATE', `the state file is not one wildintel audit wrote: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  const expected = [...parsed.size.toString(2)].filter((b) => b === '1').length;
  if (parsed.range.length !== expected) throw new AuditError('INVALID_STATE', `the state file's tree edge does not fit size ${parsed.size}`);
  const { size, range, v: _v, ...rest } = parsed;
  return { ...rest, range: { size, hashes: range.map((h) => new Uint8Array(Buffer.from(h, 'base64'))) } };
}
