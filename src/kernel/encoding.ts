import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function base64url(data: Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

export function sha256Base64url(data: Uint8Array | string): string {
  return base64url(sha256(data));
}
