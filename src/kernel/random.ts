import { randomBytes, randomUUID } from 'node:crypto';
import type { Random } from './clock.js';

export const systemRandom: Random = Object.freeze({
  bytes: (n: number) => new Uint8Array(randomBytes(n)),
  uuid: () => randomUUID(),
  float: () => randomBytes(4).readUInt32BE(0) / 2 ** 32,
});
