/**
 * The federation pseudonym key file: `{"keyId": "2026-01", "secret": "<base64url, 32 bytes>"}`,
 * or a JSON list of them when the federation has rotated (the last one is current; the older
 * ones still let a retraction by raw value find sightings published under them). Every member
 * holds the same file; the hub and agencies never do.
 */
import { z } from 'zod';
import type { Random } from '../kernel/index.js';
import type { PseudonymKey } from '../indicators/index.js';
import { NodeError } from './errors.js';

const KEY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const SECRET_BYTES = 32;

const keySchema = z.strictObject({
  keyId: z.string().regex(KEY_ID, 'must match [a-z0-9][a-z0-9-]{0,31}'),
  secret: z.string().regex(/^[A-Za-z0-9_-]{43,}$/, `must be base64url of at least ${SECRET_BYTES} bytes`),
});
const fileSchema = z.union([keySchema, z.array(keySchema).min(1)]);

/** The keys of a pseudonym key file, oldest first; the last is the one new fingerprints use. */
export function parsePseudonymKeys(text: string, file: string): readonly PseudonymKey[] {
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (cause) {
    // The message names the file and the rule, never the secret.
    const reason = cause instanceof z.ZodError ? (cause.issues[0]?.message ?? 'invalid') : 'not JSON';
    throw new NodeError('NODE_MISCONFIGURED', `PSEUDONYM_KEYS_FILE ${file} is not a pseudonym key file (${reason}): make one with wildintel federation pseudonym-key new`, { cause });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const ids = new Set(list.map((k) => k.keyId));
  if (ids.size !== list.length) throw new NodeError('NODE_MISCONFIGURED', `PSEUDONYM_KEYS_FILE ${file} lists a keyId twice`);
  return list.map(({ keyId, secret }) => ({ keyId, key: new Uint8Array(Buffer.from(secret, 'base64url')) }));
}

/** The text of a new pseudonym key file (JSON), with a fresh 256-bit secret. */
export function newPseudonymKeyFile(keyId: string, random: Random): string {
  if (!KEY_ID.test(keyId)) throw new NodeError('NODE_MISCONFIGURED', 'the key id must match [a-z0-9][a-z0-9-]{0,31}, e.g. 2026-01');
  return `${JSON.stringify({ keyId, secret: Buffer.from(random.bytes(SECRET_BYTES)).toString('base64url') }, null, 2)}\n`;
}
