import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WildintelError } from '../kernel/index.js';
import { nodeSettings, resolveNodeSettings } from './node-settings.js';

export type ConfigErrorCode = 'INVALID_CONFIG';

export class ConfigError extends WildintelError<ConfigErrorCode> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_CONFIG', message, details === undefined ? {} : { details });
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

/**
 * Every setting of a wildintel process, as environment variables (or keys of the
 * optional JSON file named by `WILDINTEL_CONFIG`; the environment wins).
 * The descriptions are the configuration reference printed by `wildintel config`.
 */
const settings = {
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(4000)
    .describe('TCP port of the HTTP server (0 picks a free one)'),
  HOST: z.string().min(1).default('127.0.0.1').describe('interface to listen on (0.0.0.0 for all)'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('Postgres server; unset → embedded PGlite under DATA_DIR'),
  DATA_DIR: z.string().min(1).default('./data').describe('where the embedded database and the admin socket live'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info').describe('log verbosity'),
  HUB_ORIGIN: z
    .string()
    .refine(isHttpOrigin, 'must be an http(s) origin such as https://hub.example.org')
    .optional()
    .describe('public origin of the hub (token audience, log origin); default http://HOST:PORT'),
  NODE_ENV: z.enum(NODE_ENVS, { error: `must be one of ${NODE_ENVS.join(', ')}` }).default('development').describe('production refuses development shortcuts'),
  CERTS_DIR: z.string().min(1).default('./certs').describe('federation trust anchors; development keys go under CERTS_DIR/dev'),
  ROOT_CA_CERT: z
    .string()
    .min(1)
    .optional()
    .describe('federation root certificate (PEM); default CERTS_DIR/root.pem, or a development root under CERTS_DIR/dev'),
  ROOT_CA_KEY: z.string().min(1).optional().describe('root CA private key, for `wildintel ca sign` (keep it offline in production)'),
  LOG_KEY_FILE: z.string().min(1).optional().describe("the hub's Ed25519 log signing key (PKCS#8 PEM); default CERTS_DIR/dev/log-key.pem in development"),
  TOKEN_KEY_FILE: z.string().min(1).optional().describe("the hub's Ed25519 agency-token signing key (PKCS#8 PEM); default CERTS_DIR/dev/token-key.pem in development"),
  LOG_ORIGIN: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~-]+)*$/, 'must be a schema-less log name such as hub.example.org/wildintel')
    .optional()
    .describe('checkpoint origin line of the transparency log; default <HUB_ORIGIN host>/wildintel'),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .min(100)
    .max(60000)
    .default(10000)
    .describe('grace period for in-flight requests on SIGTERM/SIGINT'),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'must be a whole number of requests' })
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .describe('requests per minute allowed to one agency token, on average, for the whole hub (every process together)'),
  RATE_LIMIT_BURST: z.coerce
    .number({ error: 'must be a whole number of requests' })
    .int()
    .min(1)
    .max(1_000_000)
    .default(120)
    .describe('requests one agency token may make at once (the whole hub) before the per-minute rate applies'),
  // The machine feeds' own class: a first import is a run of large pages, one after another, that
  // must neither starve nor be starved by the interactive budget of GraphQL and /v1/*. Sized so a
  // first import of 500,000 objects at 1,000 a page (about 560 requests with 30 collections) fits
  // in the burst, and a longer one is held to 20 pages a second, faster than pages are served.
  EXPORT_RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'must be a whole number of requests' })
    .int()
    .min(1)
    .max(1_000_000)
    .default(1200)
    .describe('TAXII and MISP feed requests per minute allowed to one agency token, on average, for the whole hub (apart from RATE_LIMIT_*)'),
  EXPORT_RATE_LIMIT_BURST: z.coerce
    .number({ error: 'must be a whole number of requests' })
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .describe('TAXII and MISP feed requests one agency token may make at once (the whole hub) before the per-minute export rate applies'),
  DISCLOSURE_TTL_DAYS: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe('how long a disclosure request stays open (the longest; a request may ask for less); members cannot answer after it'),
  REFERRAL_ACK_HOURS: z.coerce
    .number({ error: 'must be a whole number of hours' })
    .int()
    .min(1)
    .max(8760)
    .default(72)
    .describe('hours an agency has to acknowledge a referral from a member before it is marked overdue and counted'),
  DATABASE_READ_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional()
    .describe('a streaming replica of DATABASE_URL for the read-only query path (docs/scaling.md); unset → every read on the primary'),
  DATABASE_READ_MAX_WAIT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .min(0)
    .max(10_000)
    .default(100)
    .describe('how long a read waits for the replica to replay what the primary had committed before going to the primary'),
  ...nodeSettings,
} as const;

const configSchema = z.object(settings);
type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'DATA_DIR' | 'HUB_ORIGIN' | 'CERTS_DIR' | 'LOG_ORIGIN'> {
  readonly DATA_DIR: string;
  readonly HUB_ORIGIN: string;
  readonly CERTS_DIR: string;
  readonly LOG_ORIGIN: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** The names and descriptions of every setting, for `--help` and the README. */
export function describeSettings(): Array<{ name: string; description: string; default: string | undefined }> {
  return Object.entries(settings).map(([name, schema]) => ({
    name,
    description: schema.description ?? '',
    default: defaultOf(schema),
  }));
}

/**
 * Reads, validates and freezes the configuration. The only place that reads
 * process.env is the caller of this function (the CLI entry point).
 * Throws ConfigError with a one-line message naming the bad variable.
 */
export function loadConfig(env: Environment, cwd: string = process.cwd()): Readonly<Config> {
  const merged = { ...readConfigFile(env, cwd), ...definedOnly(pick(env)) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const got = merged[name as keyof typeof merged];
    const shown = name === 'DATABASE_URL' || name === 'DATABASE_READ_URL' ? redactUrl(String(got)) : JSON.stringify(got);
    throw new ConfigError(`${name} ${issue?.message ?? 'is invalid'} (got ${shown})`, { variable: name });
  }
  const raw = result.data;
  if (raw.DATABASE_READ_URL !== undefined && raw.DATABASE_URL === undefined) {
    throw new ConfigError('DATABASE_READ_URL needs DATABASE_URL: a read replica replicates a Postgres server, and the embedded database has none', { variable: 'DATABASE_READ_URL' });
  }
  const hubOrigin = (raw.HUB_ORIGIN ?? `http://${hostForUrl(raw.HOST)}:${raw.PORT}`).replace(/\/$/, '');
  const resolve = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(cwd, p));
  return Object.freeze({
    ...raw,
    DATA_DIR: path.resolve(cwd, raw.DATA_DIR),
    CERTS_DIR: path.resolve(cwd, raw.CERTS_DIR),
    ROOT_CA_CERT: resolve(raw.ROOT_CA_CERT),
    ROOT_CA_KEY: resolve(raw.ROOT_CA_KEY),
    LOG_KEY_FILE: resolve(raw.LOG_KEY_FILE),
    TOKEN_KEY_FILE: resolve(raw.TOKEN_KEY_FILE),
    HUB_ORIGIN: hubOrigin,
    LOG_ORIGIN: raw.LOG_ORIGIN ?? `${new URL(hubOrigin).host}/wildintel`,
    ...resolveNodeSettings(raw, cwd),
  });
}

function pick(env: Environment): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(settings).map((k) => [k, env[k]]));
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function readConfigFile(env: Environment, cwd: string): Record<string, unknown> {
  const file = env['WILDINTEL_CONFIG'];
  if (file === undefined || file === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.resolve(cwd, file), 'utf8'));
  } catch (cause) {
    throw new ConfigError(`WILDINTEL_CONFIG ${file} cannot be read as JSON: ${(cause as Error).message}`, { variable: 'WILDINTEL_CONFIG' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`WILDINTEL_CONFIG ${file} must hold a JSON object of settings`, { variable: 'WILDINTEL_CONFIG' });
  }
  const unknown = Object.keys(parsed).filter((k) => !(k in settings));
  if (unknown.length > 0) {
    throw new ConfigError(`WILDINTEL_CONFIG ${file} has unknown setting ${unknown[0]}`, { variable: unknown[0] });
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
}

function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search;
  } catch {
    return false;
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Never print a database password in an error line. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function defaultOf(schema: z.ZodType): string | undefined {
  const parsed = schema.safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}
