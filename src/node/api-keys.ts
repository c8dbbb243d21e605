/**
 * Platform API keys. The node keeps only their SHA-256 (one `<name> sha256:<hex>` per line in
 * NODE_API_KEYS_FILE), so a copy of that file or of a backup lets no one call the API. A key is
 * 256 random bits: a plain hash suffices (no password stretching), and a hash-table lookup
 * leaks nothing useful through timing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Random } from '../kernel/index.js';
import { NodeError } from './errors.js';

const KEY_PREFIX = 'wik_';
const LINE = /^(?<name>[a-z0-9][a-z0-9_.-]{0,63}) sha256:(?<hash>[0-9a-f]{64})$/;

export interface ApiKeyring {
  /** The name of the key, or undefined for an unknown one. */
  identify(key: string): string | undefined;
  readonly size: number;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function parseApiKeys(text: string, file: string): ApiKeyring {
  const byHash = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const groups = LINE.exec(line)?.groups;
    if (groups === undefined) throw new NodeError('NODE_MISCONFIGURED', `${file} line ${i + 1} is not "<name> sha256:<64 hex>"`);
    byHash.set(groups['hash']!, groups['name']!);
  });
  return { identify: (key) => byHash.get(hashApiKey(key)), size: byHash.size };
}

/**
 * The keys of `file` (absent: none yet), re-read whenever the file changes, so that
 * `wildintel node api-key new` takes effect on a running node without a restart.
 */
export function watchApiKeys(file: string): ApiKeyring {
  let seen: string | undefined;
  let current: ApiKeyring = parseApiKeys('', file);
  const refresh = (): ApiKeyring => {
    let mtime: string | undefined;
    try {
      const stat = statSync(file);
      mtime = `${stat.mtimeMs}:${stat.size}`;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new NodeError('NODE_MISCONFIGURED', `the API keys file ${file} cannot be read`, { cause });
    }
    if (mtime !== seen) {
      current = parseApiKeys(mtime === undefined ? '' : readFileSync(file, 'utf8'), file);
      seen = mtime;
    }
    return current;
  };
  refresh();
  return {
    identify: (key) => refresh().identify(key),
    get size() {
      return refresh().size;
    },
  };
}

/** A new key (shown once) and the line that stores its hash. */
export function newApiKey(name: string, random: Random): { key: string; line: string } {
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(name)) throw new NodeError('NODE_MISCONFIGURED', 'the key name must be [a-z0-9][a-z0-9_.-]{0,63}, e.g. moderation-pipeline');
  const key = `${KEY_PREFIX}${Buffer.from(random.bytes(32)).toString('base64url')}`;
  return { key, line: `${name} sha256:${hashApiKey(key)}` };
}
