/**
 * The hub's log signing key file, apart from the rest of the hub so that `wildintel hub keys`
 * reads or makes it without loading the hub's server stack (TypeORM, Apollo, Express).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/index.js';
import { writePrivateKeyFile } from '../../pki/index.js';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '../../tlog/index.js';

/** The log key file holds the signer key in Go's note format (PRIVATE+KEY+name+id+key). */
export async function createLogKey(file: string, name: string): Promise<{ verifierKey: string }> {
  const { signerKey, verifierKey } = generateSignerKey(name);
  await writePrivateKeyFile(file, `${signerKey}\n`);
  return { verifierKey };
}

export function readLogKey(file: string): NoteSigner {
  try {
    return parseSignerKey(readFileSync(file, 'utf8').trim());
  } catch (cause) {
    throw new ConfigError(`LOG_KEY_FILE ${file} is not a log signing key: ${(cause as Error).message}`, { variable: 'LOG_KEY_FILE' });
  }
}
