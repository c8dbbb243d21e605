import { existsSync, readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, devDir, logKeyPath, rootCertPath, tokenKeyPath, type Config } from '../config/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import { createRootCa, pemToDerCertificates, writePrivateKeyFile } from '../pki/index.js';
import type { NoteSigner } from '../tlog/index.js';
import { createLogKey, readLogKey } from './log-key/index.js';

/** What the hub trusts and signs with, loaded once at start. */
export interface HubTrust {
  /** DER of the federation root certificate(s). */
  readonly roots: readonly Uint8Array[];
  readonly rootCertPath: string;
  readonly logSigner: NoteSigner;
  readonly logKeyPath: string;
  /** Ed25519 key that signs agency tokens. */
  readonly tokenKey: KeyObject;
  /** True when the keys are the generated development federation under CERTS_DIR/dev. */
  readonly development: boolean;
}

/**
 * Loads the trust material. With nothing configured outside production, creates a
 * development federation under CERTS_DIR/dev (root CA and the hub's log key) and says so;
 * in production every key must exist already, and a missing one names its setting.
 */
export async function loadHubTrust(config: Readonly<Config>, logger: Logger, clock: Clock): Promise<HubTrust> {
  const root = rootCertPath(config);
  const keyPath = logKeyPath(config);
  const production = config.NODE_ENV === 'production';
  if (!existsSync(root.path)) {
    if (!root.development) throw new ConfigError(`ROOT_CA_CERT ${root.path} does not exist (run wildintel ca init)`, { variable: 'ROOT_CA_CERT' });
    if (production) throw new ConfigError('ROOT_CA_CERT is not set and CERTS_DIR has no root.pem: production never creates a development federation (run wildintel ca init)', { variable: 'ROOT_CA_CERT' });
    await createDevelopmentRoot(config, clock);
    logger.warn({ dir: devDir(config) }, 'created a development federation (root CA) under certs/dev: for development only, never for production');
  }
  if (!existsSync(keyPath)) {
    if (config.LOG_KEY_FILE !== undefined || production) {
      throw new ConfigError(`LOG_KEY_FILE ${keyPath} does not exist (run wildintel hub keys)`, { variable: 'LOG_KEY_FILE' });
    }
    await createLogKey(keyPath, config.LOG_ORIGIN);
    logger.warn({ path: keyPath }, 'created a development log signing key');
  }
  const tokenKey = await loadTokenKey(config, logger);
  const roots = pemToDerCertificates(readFileSync(root.path, 'utf8'));
  if (roots.length === 0) throw new ConfigError(`${root.path} holds no PEM certificate`, { variable: 'ROOT_CA_CERT' });
  return { roots, rootCertPath: root.path, logSigner: readLogKey(keyPath), logKeyPath: keyPath, tokenKey, development: root.development };
}

async function createDevelopmentRoot(config: Readonly<Config>, clock: Clock): Promise<void> {
  const dir = devDir(config);
  const ca = createRootCa({ commonName: 'wildintel development federation root', validityYears: 10, now: clock.now() });
  await writePrivateKeyFile(path.join(dir, 'root-key.pem'), ca.keyPem);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'root.pem'), ca.certPem, { flag: 'wx' });
}

async function loadTokenKey(config: Readonly<Config>, logger: Logger): Promise<KeyObject> {
  const file = tokenKeyPath(config);
  if (!existsSync(file)) {
    if (config.TOKEN_KEY_FILE !== undefined || config.NODE_ENV === 'production') {
      throw new ConfigError(`TOKEN_KEY_FILE ${file} does not exist (create it with: openssl genpkey -algorithm ed25519 -out FILE)`, { variable: 'TOKEN_KEY_FILE' });
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    await writePrivateKeyFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    logger.warn({ path: file }, 'created a development token signing key');
  }
  try {
    const key = createPrivateKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (cause) {
    throw new ConfigError(`TOKEN_KEY_FILE ${file} is not an Ed25519 private key: ${(cause as Error).message}`, { variable: 'TOKEN_KEY_FILE' });
  }
}
