import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';

/**
 * The member node's settings (`wildintel node`), part of the one configuration schema in
 * config.ts. Keys and secrets are named by file, never given inline, so that they do not end
 * up in a process listing or a shell history.
 */
export const nodeSettings = {
  NODE_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(4100)
    .describe("TCP port of the member node's platform API (0 picks a free one)"),
  NODE_MEMBER: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a member slug such as shopmart')
    .optional()
    .describe("the member slug; default the node certificate's subject CN (they must agree)"),
  NODE_KEY_FILE: z.string().min(1).optional().describe("the member's private key (PKCS#8 PEM), from `wildintel member keygen`"),
  NODE_CERT_FILE: z.string().min(1).optional().describe("the member's certificate (PEM, leaf first, intermediates after), from `wildintel ca sign`"),
  HUB_URL: z
    .string()
    .refine(isHttpBase, 'must be an http(s) URL such as https://hub.example.org')
    .optional()
    .describe('the hub the member node publishes to and follows'),
  HUB_AUDIENCE: z
    .string()
    .refine(isHttpBase, 'must be an http(s) origin such as https://hub.example.org')
    .optional()
    .describe("audience of the node's member request tokens: the hub's HUB_ORIGIN; default HUB_URL"),
  HUB_LOG_KEY: z
    .string()
    .regex(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/, 'must be a note verifier key <name>+<hex id>+<base64>, as printed by `wildintel hub keys`')
    .optional()
    .describe("the hub log's verifier key; unset → fetched on first contact and pinned (trust on first use)"),
  PSEUDONYM_KEYS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('federation pseudonym key(s), JSON {keyId, secret} or a list (the last is current); `wildintel federation pseudonym-key new`'),
  NODE_VAULT_KEY_FILE: z.string().min(1).optional().describe('AES-256 key of the pseudonym vault; default DATA_DIR/vault.key, created (0600) on first start'),
  NODE_API_KEYS_FILE: z.string().min(1).optional().describe('hashed platform API keys; default DATA_DIR/api-keys (`wildintel node api-key new`)'),
  DEFAULT_PHONE_REGION: z
    .string()
    .refine((v) => /^[A-Z]{2}$/.test(v) && isSupportedCountry(v), 'must be an ISO 3166-1 alpha-2 region with a phone numbering plan, e.g. CN')
    .optional()
    .describe('region of phone numbers written without a country code, e.g. CN'),
  NODE_IMAGE_DIR: z.string().min(1).optional().describe('the only directory image observations may name by `path` (bulk jobs); unset → `path` is refused'),
  NODE_BATCH_MAX: z.coerce.number({ error: 'must be a number' }).int().min(1).max(10000).default(1000).describe('indicators and retractions per signed batch'),
  NODE_BATCH_DELAY_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).max(3_600_000).default(2000).describe('how long observations wait to be batched with others before signing'),
  NODE_RETRY_BASE_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(1).max(600_000).default(1000).describe('first retry delay of a batch the hub did not take (doubled each try, with jitter)'),
  NODE_RETRY_MAX_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(1).max(86_400_000).default(300_000).describe('longest delay between two tries of a batch'),
  NODE_FEED_INTERVAL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(10).max(86_400_000).default(30_000).describe("how often the node polls the hub's feed when it has caught up"),
  NODE_MAX_IMAGE_PIXELS: z.coerce
    .number({ error: 'must be a number of pixels' })
    .int()
    .min(64 * 64)
    .max(268_402_689)
    .default(40_000_000)
    .describe('largest image (width × height, from its header, before decoding) the node hashes; a decode holds about 6 bytes per pixel'),
  NODE_IMAGE_DECODES: z.coerce.number({ error: 'must be a number' }).int().min(1).max(64).default(2).describe('images decoded at once (each holds its pixels in memory); the others wait their turn'),
  NODE_MIN_PDQ_QUALITY: z.coerce
    .number({ error: 'must be a number from 0 to 100' })
    .int()
    .min(0)
    .max(100)
    .default(50)
    .describe('images whose PDQ hash is of lower quality (blank, flat, tiny) are refused: such hashes match unrelated images'),
  NODE_MODEL_FILE: z.string().min(1).optional().describe('the suspicious-listing model scans are scored with; default DATA_DIR/listing-model.json (`wildintel node model retrain`); none → scans carry no score'),
  NODE_MODEL_LABELS_FILE: z.string().min(1).optional().describe("the member's labelled listings the model learns from (never sent anywhere); default DATA_DIR/model-labels.jsonl (`wildintel node model label`)"),
  NODE_MODEL_RETRAIN_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .int('must be a whole number of hours')
    .min(0)
    .max(24 * 365)
    .default(0)
    .describe('retrain the model from the labelled listings every this many hours (0: only by command); a model that evaluates worse is not installed'),
  NODE_MAX_BODY_MB: z.coerce.number({ error: 'must be a number of MiB' }).int().min(1).max(512).default(32).describe('largest platform API request (base64 images count)'),
  // Public reports (src/reports, docs/member-node.md "Public reports and volunteer review").
  REPORTS_POW_DIFFICULTY: z.coerce.number({ error: 'must be a number of hex digits' }).int().min(1).max(8).default(4).describe('proof of work of a public report: leading zero hex digits of a SHA-256 (4 ≈ 65 000 tries, under a second on a phone)'),
  REPORTS_PER_PREFIX_PER_HOUR: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1_000_000).default(10).describe('public reports per network (/24 IPv4, /48 IPv6) per hour'),
  REPORTS_MAX_OPEN: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1_000_000).default(2000).describe('public reports waiting for review at most; more are refused (QUEUE_FULL) and counted'),
  REPORTS_MAX_STORED_MB: z.coerce.number({ error: 'must be a number of MiB' }).int().min(1).max(1_000_000).default(512).describe('photo bytes of public reports kept at most; more are refused (STORAGE_FULL) and counted'),
  REPORTS_MAX_PHOTO_MB: z.coerce.number({ error: 'must be a number of MiB' }).int().min(1).max(64).default(5).describe('largest photo of a public report'),
  REPORTS_RETENTION_DAYS: z.coerce.number({ error: 'must be a number of days' }).int().min(1).max(3650).default(90).describe('days a decided public report (description, photos, contact) is kept before it is purged'),
  REVIEW_SESSION_HOURS: z.coerce.number({ error: 'must be a number of hours' }).int().min(1).max(168).default(8).describe('lifetime of a reviewer session on the review page'),
} as const;

const NODE_FILES = ['NODE_KEY_FILE', 'NODE_CERT_FILE', 'PSEUDONYM_KEYS_FILE', 'NODE_VAULT_KEY_FILE', 'NODE_API_KEYS_FILE', 'NODE_IMAGE_DIR', 'NODE_MODEL_FILE', 'NODE_MODEL_LABELS_FILE'] as const;

/** The node's file settings resolved against the working directory, URLs without a trailing slash. */
export function resolveNodeSettings<T extends Partial<Record<(typeof NODE_FILES)[number] | 'HUB_URL' | 'HUB_AUDIENCE', string | undefined>>>(raw: T, cwd: string): Partial<T> {
  const resolved: Partial<Record<string, string | undefined>> = {};
  for (const name of NODE_FILES) {
    const value = raw[name];
    if (value !== undefined) resolved[name] = path.resolve(cwd, value);
  }
  if (raw.HUB_URL !== undefined) resolved['HUB_URL'] = raw.HUB_URL.replace(/\/+$/, '');
  if (raw.HUB_AUDIENCE !== undefined) resolved['HUB_AUDIENCE'] = raw.HUB_AUDIENCE.replace(/\/+$/, '');
  return resolved as Partial<T>;
}

function isHttpBase(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}
