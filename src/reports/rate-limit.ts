/**
 * Rate limit by network, without tracking people: the client's /24 (IPv4) or /48 (IPv6) prefix
 * is hashed with a key derived from the vault key and the current hour, and only counts per hash
 * are kept, in memory, for the current hour (a restart forgets them). Nothing reaches the disk.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export interface PrefixRateLimit {
  /** Counts an attempt from `address`; false when its network is over the limit this hour. */
  take(address: string | undefined): boolean;
}

const HOUR_MS = 3_600_000;

export function networkPrefix(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) return `${expandIpv6(address).slice(0, 3).join(':')}::/48`;
  return 'unknown';
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => (parseInt(g, 16) || 0).toString(16));
}

export function createPrefixRateLimit(options: { secret: Uint8Array; perHour: number; now: () => number }): PrefixRateLimit {
  let hour = -1;
  let counts = new Map<string, number>();
  return {
    take(address) {
      const current = Math.floor(options.now() / HOUR_MS);
      if (current !== hour) {
        // A new hour: a new key, and last hour's counts are gone.
        hour = current;
        counts = new Map();
      }
      const key = createHmac('sha256', options.secret).update(`wildintel report rate v1 ${hour} ${networkPrefix(address)}`).digest('base64url').slice(0, 22);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n <= options.perHour;
    },
  };
}
