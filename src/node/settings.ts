/**
 * The node's configuration turned into what it runs with: key material read from its files and
 * checked together at start, so a wrong key, certificate or pseudonym file fails with one line
 * naming it instead of on the first batch.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { modelFiles, type Config } from '../config/index.js';
import type { PseudonymKey } from '../indicators/index.js';
import type { Random } from '../kernel/index.js';
import { parseCertificate, pemToDerCertificates } from '../pki/index.js';
import { signBatch, type BatchSigner } from '../provenance/index.js';
import { watchApiKeys, type ApiKeyring } from './api-keys.js';
import type { BackoffPolicy } from './backoff.js';
import { NodeError } from './errors.js';
import { parsePseudonymKeys } from './pseudonym-keys.js';
import { loadOrCreateVaultKey } from './vault.js';

export interface NodeSettings {
  readonly member: string;
  readonly signer: BatchSigner;
  readonly hubUrl: string;
  readonly audience: string;
  readonly logKey: string | undefined;
  /** DER of the federation roots that feed batches must chain to. */
  readonly rootsDer: readonly Uint8Array[];
  readonly pseudonymKeys: readonly PseudonymKey[];
  readonly vaultKey: Uint8Array;
  readonly apiKeys: ApiKeyring;
  readonly defaultRegion: CountryCode | undefined;
  readonly imageDir: string | undefined;
  readonly images: { readonly maxPixels: number; readonly concurrentDecodes: number; readonly minPdqQuality: number };
  readonly batchMax: number;
  readonly batchDelayMs: number;
  readonly backoff: BackoffPolicy;
  readonly feedIntervalMs: number;
  readonly maxBodyBytes: number;
  readonly model: { readonly modelFile: string; readonly labelsFile: string; readonly retrainMs: number };
  /** Public reports (src/reports). */
  readonly reports: { readonly powDifficulty: number; readonly perPrefixPerHour: number; readonly maxOpen: number; readonly maxStoredBytes: number; readonly maxPhotoBytes: number; readonly retentionDays: number; readonly sessionHours: number };
  readonly host: string;
  readonly port: number;
}

/** The vault key and API key files live in DATA_DIR unless configured elsewhere. */
export function vaultKeyFile(config: Readonly<Config>): string {
  return config.NODE_VAULT_KEY_FILE ?? path.join(config.DATA_DIR, 'vault.key');
}

export function apiKeysFile(config: Readonly<Config>): string {
  return config.NODE_API_KEYS_FILE ?? path.join(config.DATA_DIR, 'api-keys');
}

export async function loadNodeSettings(config: Readonly<Config>, random: Random): Promise<NodeSettings> {
  const hubUrl = required(config.HUB_URL, 'HUB_URL', 'the hub to publish to, e.g. https://hub.example.org');
  const signer = await readSigner(config);
  const member = memberOf(signer, config.NODE_MEMBER);
  await assertSignerWorks(signer, member, random);
  const pseudonymFile = required(config.PSEUDONYM_KEYS_FILE, 'PSEUDONYM_KEYS_FILE', 'the federation pseudonym key file');
  const { key: vaultKey } = await loadOrCreateVaultKey(vaultKeyFile(config), random);
  return {
    member,
    signer,
    hubUrl,
    audience: config.HUB_AUDIENCE ?? hubUrl,
    logKey: config.HUB_LOG_KEY,
    rootsDer: pemToDerCertificates(await readText(config.ROOT_CA_CERT ?? path.join(config.CERTS_DIR, 'root.pem'), 'ROOT_CA_CERT (the federation root certificate)')),
    pseudonymKeys: parsePseudonymKeys(await readText(pseudonymFile, 'PSEUDONYM_KEYS_FILE'), pseudonymFile),
    vaultKey,
    apiKeys: watchApiKeys(apiKeysFile(config)),
    defaultRegion: config.DEFAULT_PHONE_REGION as CountryCode | undefined,
    imageDir: config.NODE_IMAGE_DIR,
    images: { maxPixels: config.NODE_MAX_IMAGE_PIXELS, concurrentDecodes: config.NODE_IMAGE_DECODES, minPdqQuality: config.NODE_MIN_PDQ_QUALITY },
    batchMax: config.NODE_BATCH_MAX,
    batchDelayMs: config.NODE_BATCH_DELAY_MS,
    backoff: { baseMs: config.NODE_RETRY_BASE_MS, maxMs: config.NODE_RETRY_MAX_MS },
    feedIntervalMs: config.NODE_FEED_INTERVAL_MS,
    maxBodyBytes: config.NODE_MAX_BODY_MB * 1024 * 1024,
    model: { ...modelFiles(config), retrainMs: config.NODE_MODEL_RETRAIN_HOURS * 3_600_000 },
    reports: {
      powDifficulty: config.REPORTS_POW_DIFFICULTY,
      perPrefixPerHour: config.REPORTS_PER_PREFIX_PER_HOUR,
      maxOpen: config.REPORTS_MAX_OPEN,
      maxStoredBytes: config.REPORTS_MAX_STORED_MB * 1024 * 1024,
      maxPhotoBytes: config.REPORTS_MAX_PHOTO_MB * 1024 * 1024,
      retentionDays: config.REPORTS_RETENTION_DAYS,
      sessionHours: config.REVIEW_SESSION_HOURS,
    },
    host: config.HOST,
    port: config.NODE_PORT,
  };
}

function required(value: string | undefined, name: string, what: string): string {
  if (value === undefined) throw new NodeError('NODE_MISCONFIGURED', `${name} is not set: the node needs ${what}`, { details: { variable: name } });
  return value;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new NodeError('NODE_MISCONFIGURED', `${what} ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
}

async function readSigner(config: Readonly<Config>): Promise<BatchSigner> {
  const keyFile = required(config.NODE_KEY_FILE, 'NODE_KEY_FILE', "the member's private key");
  const certFile = required(config.NODE_CERT_FILE, 'NODE_CERT_FILE', "the member's certificate");
  return { keyPem: await readText(keyFile, 'NODE_KEY_FILE'), chainPem: [await readText(certFile, 'NODE_CERT_FILE')] };
}

function memberOf(signer: BatchSigner, configured: string | undefined): string {
  const leaf = pemToDerCertificates(signer.chainPem[0] ?? '')[0];
  if (leaf === undefined) throw new NodeError('NODE_MISCONFIGURED', 'NODE_CERT_FILE holds no certificate');
  const member = parseCertificate(leaf).subjectCN;
  if (member === undefined) throw new NodeError('NODE_MISCONFIGURED', 'the certificate in NODE_CERT_FILE names no member (subject CN)');
  if (configured !== undefined && configured !== member) throw new NodeError('NODE_MISCONFIGURED', `NODE_MEMBER is ${configured} but the certificate names ${member}`);
  return member;
}

/** Signs a throwaway batch: a key that is not the certificate's fails here rather than in the outbox. */
async function assertSignerWorks(signer: BatchSigner, member: string, random: Random): Promise<void> {
  try {
    await signBatch({ v: 1, batchId: random.uuid(), member, createdAt: '2000-01-01T00:00:00Z', tlp: 'CLEAR', indicators: [] }, signer);
  } catch (cause) {
    throw new NodeError('NODE_MISCONFIGURED', `NODE_KEY_FILE and NODE_CERT_FILE cannot sign batches: ${(cause as Error).message}`, { cause });
  }
}
