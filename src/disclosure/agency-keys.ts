/**
 * An agency's disclosure keys: one it decrypts answers with (ECDH-ES: X25519 or EC P-256) and one
 * it signs requests with (Ed25519 or EC P-256), both held by the agency alone. The hub registers
 * their public halves as one JWK set and logs the set's hash (an `agency` entry), so a member node
 * can check from the log itself that a request's keys are the agency's, and the hub cannot swap
 * in a key of its own without everyone seeing it.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { sha256Base64url } from '../kernel/index.js';
import { canonicalJson } from '../provenance/index.js';
import { DisclosureError } from './errors.js';

export interface PublicJwk {
  readonly kty: 'OKP' | 'EC';
  readonly crv: 'X25519' | 'Ed25519' | 'P-256';
  readonly x: string;
  readonly y?: string;
  readonly use: 'enc' | 'sig';
  readonly alg: 'ECDH-ES' | 'EdDSA' | 'ES256';
  /** RFC 7638 thumbprint. */
  readonly kid: string;
}

/** The registered form: `{"keys":[encryption, signing]}`, in that order. */
export interface AgencyKeySet {
  readonly keys: readonly [PublicJwk, PublicJwk];
}

const MAX_KEY_TEXT = 16 * 1024;

function refuse(message: string): DisclosureError {
  return new DisclosureError('INVALID_AGENCY_KEY', message);
}

/** base64url SHA-256 of the set's RFC 8785 JSON: what the `agency` log entry carries. */
export function keysSha256(set: AgencyKeySet): string {
  return sha256Base64url(canonicalJson(set));
}

export const encryptionKeyOf = (set: AgencyKeySet): PublicJwk => set.keys[0];
export const signingKeyOf = (set: AgencyKeySet): PublicJwk => set.keys[1];

/** The public keys in a file: a JWK set, one JWK, or PEM (SPKI). A private key is refused. */
function publicKeysIn(text: string): Array<{ key: KeyObject; use?: string }> {
  if (text.length > MAX_KEY_TEXT) throw refuse('the key file is over 16 KiB');
  const trimmed = text.trim();
  if (trimmed.includes('PRIVATE KEY')) throw refuse('this is a private key: register the public key; the private key never leaves the agency');
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      return [{ key: createPublicKey(trimmed) }];
    } catch {
      throw refuse('the PEM is not a public key');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw refuse('the key file is neither PEM nor JSON (a JWK or a JWK set)');
  }
  const jwks = typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys) ? (value as { keys: unknown[] }).keys : [value];
  if (jwks.length === 0 || jwks.length > 4) throw refuse('a JWK set must hold one to four keys');
  return jwks.map((jwk) => {
    if (typeof jwk !== 'object' || jwk === null || 'd' in jwk) throw refuse('a JWK must be a public key (no "d")');
    try {
      const use = (jwk as { use?: unknown }).use;
      return { key: createPublicKey({ key: jwk as never, format: 'jwk' }), ...(typeof use === 'string' ? { use } : {}) };
    } catch {
      throw refuse('a JWK in the file is not a usable public key');
    }
  });
}

function curveOf(key: KeyObject): 'X25519' | 'Ed25519' | 'P-256' | undefined {
  if (key.asymmetricKeyType === 'x25519') return 'X25519';
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'P-256';
  return undefined;
}

async function toJwk(key: KeyObject, use: 'enc' | 'sig'): Promise<PublicJwk> {
  const crv = curveOf(key);
  const fits = use === 'enc' ? crv === 'X25519' || crv === 'P-256' : crv === 'Ed25519' || crv === 'P-256';
  if (crv === undefined || !fits) throw refuse(use === 'enc' ? 'the encryption key must be X25519 or EC P-256 (ECDH-ES)' : 'the signing key must be Ed25519 or EC P-256');
  const raw = key.export({ format: 'jwk' }) as { kty: 'OKP' | 'EC'; x: string; y?: string };
  const core = { kty: raw.kty, crv, x: raw.x, ...(raw.y === undefined ? {} : { y: raw.y }) };
  const alg = use === 'enc' ? 'ECDH-ES' : crv === 'Ed25519' ? 'EdDSA' : 'ES256';
  return { ...core, use, alg, kid: await calculateJwkThumbprint(core as never) };
}

/** Picks the key for `use` from those in a file: by its `use`, else by its curve. */
function pick(found: Array<{ key: KeyObject; use?: string }>, use: 'enc' | 'sig'): KeyObject | undefined {
  const byUse = found.find((f) => f.use === use);
  if (byUse !== undefined) return byUse.key;
  const only = found.filter((f) => f.use === undefined && curveOf(f.key) === (use === 'enc' ? 'X25519' : 'Ed25519'));
  if (only.length === 1) return only[0]!.key;
  return found.length === 1 && found[0]!.use === undefined ? found[0]!.key : undefined;
}

/**
 * The key set to register from the agency's files: `encryption` (the public JWK set that
 * `wildintel disclosure keygen` writes, holding both keys, or the encryption key alone) and
 * `signing` when the signing key is in a file of its own.
 * @throws DisclosureError `INVALID_AGENCY_KEY`
 */
export async function agencyKeySet(encryption: string, signing?: string): Promise<AgencyKeySet> {
  const found = publicKeysIn(encryption);
  const enc = signing === undefined ? pick(found, 'enc') : pick(found.filter((f) => f.use !== 'sig'), 'enc');
  const sig = signing === undefined ? pick(found.filter((f) => f.key !== enc), 'sig') : pick(publicKeysIn(signing), 'sig');
  if (enc === undefined) throw refuse('no encryption key (X25519 or P-256 with "use":"enc") in the encryption key file');
  if (sig === undefined) throw refuse('no signing key (Ed25519, or P-256 with "use":"sig"): give the JWK set from wildintel disclosure keygen, or --signing-key');
  const keys: [PublicJwk, PublicJwk] = [await toJwk(enc, 'enc'), await toJwk(sig, 'sig')];
  if (keys[0].kid === keys[1].kid) throw refuse('the encryption and signing keys must be two different keys');
  return { keys };
}

/** Reads a registered set back (from the hub's database or a request served to a node), strictly. */
export async function parseAgencyKeySet(value: unknown): Promise<AgencyKeySet> {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length !== 2) throw refuse('an agency key set holds exactly an encryption and a signing key');
  const set = await agencyKeySet(JSON.stringify({ keys: [keys[0]] }), JSON.stringify({ keys: [keys[1]] }));
  if (canonicalJson(set) !== canonicalJson(value as never)) throw refuse('the agency key set is not in its registered form');
  return set;
}

/** What `wildintel disclosure keygen` makes: two private keys (PKCS#8 PEM) and the public set to register. */
export async function generateAgencyKeys(kind: 'x25519' | 'p256' = 'x25519'): Promise<{ encryptionKeyPem: string; signingKeyPem: string; publicKeys: AgencyKeySet }> {
  const enc = kind === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = kind === 'x25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeys: AgencyKeySet = { keys: [await toJwk(enc.publicKey, 'enc'), await toJwk(sig.publicKey, 'sig')] };
  return { encryptionKeyPem: pem(enc.privateKey), signingKeyPem: pem(sig.privateKey), publicKeys };
}

/** The public JWK (with its kid) of an agency's private key: what a request names and is checked against. */
export async function publicJwkOf(privateKeyPem: string, use: 'enc' | 'sig'): Promise<PublicJwk> {
  let key: KeyObject;
  try {
    key = createPublicKey(privateKeyPem);
  } catch {
    throw refuse(`the ${use === 'enc' ? 'encryption' : 'signing'} key file is not a PEM private key`);
  }
  return toJwk(key, use);
}
