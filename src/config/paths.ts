/**
 * Where the hub's files are, derived from the configuration: read by the hub, which creates them,
 * and by the CLI, which must find them without starting a hub.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

/** The hub's operator socket, in DATA_DIR: the hub listens there, the CLI looks there for a running hub. */
export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'admin.sock');
}

/** The member node's operator socket under its DATA_DIR (a path, like the hub's, so its CLI needs no node code). */
export function nodeSocketPath(dataDir: string): string {
  return path.join(dataDir, 'node.sock');
}

/** The node's model and the labelled listings it learns from: in DATA_DIR unless configured elsewhere (a path, so the CLI needs no node code). */
export function modelFiles(config: Readonly<Config>): { modelFile: string; labelsFile: string } {
  return {
    modelFile: config.NODE_MODEL_FILE ?? path.join(config.DATA_DIR, 'listing-model.json'),
    labelsFile: config.NODE_MODEL_LABELS_FILE ?? path.join(config.DATA_DIR, 'model-labels.jsonl'),
  };
}

/** The generated development federation (root, log and token keys) under CERTS_DIR. */
export function devDir(config: Readonly<Config>): string {
  return path.join(config.CERTS_DIR, 'dev');
}

/** Where the root certificate is: ROOT_CA_CERT, else CERTS_DIR/root.pem, else the development root. */
export function rootCertPath(config: Readonly<Config>): { path: string; development: boolean } {
  if (config.ROOT_CA_CERT !== undefined) return { path: config.ROOT_CA_CERT, development: false };
  const production = path.join(config.CERTS_DIR, 'root.pem');
  if (existsSync(production)) return { path: production, development: false };
  return { path: path.join(devDir(config), 'root.pem'), development: true };
}

export function logKeyPath(config: Readonly<Config>): string {
  return config.LOG_KEY_FILE ?? path.join(devDir(config), 'log-key.pem');
}

export function tokenKeyPath(config: Readonly<Config>): string {
  return config.TOKEN_KEY_FILE ?? path.join(devDir(config), 'token-key.pem');
}
