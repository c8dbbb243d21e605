import { AuditError } from './errors.js';

/** The hub as an auditor reaches it. Behind an interface so the checks run against any source. */
export interface LogClient {
  checkpoint(): Promise<string>;
  entries(start: number, end: number): Promise<Uint8Array[]>;
  consistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /**
   * The signed batch behind a batch entry (needs a token that may read it): a version 1 compact
   * JWS, or a version 2 SD-JWT with the disclosures the token may see.
   */
  batch?(member: string, batchId: string): Promise<string>;
  /**
   * A client reading C2SP tiles (tile-client.ts): the level-0 hashes of leaves [start, end) in the
   * tree of `size`, from hash tiles authenticated against its signed `root`.
   */
  leafHashes?(start: number, end: number, size: number, root: Uint8Array): Promise<Uint8Array[]>;
}

/** How many times one batch read waits out a 429 before the audit gives up on it. */
const MAX_RATE_LIMIT_WAITS = 10;

export function createHttpLogClient(hubUrl: string, options: { token?: string } = {}): LogClient {
  const base = hubUrl.replace(/\/$/, '');
  const get = async (path: string, auth = false): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, auth && options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {});
    } catch (cause) {
      throw new AuditError('HUB_UNREACHABLE', `cannot reach ${base}: ${(cause as Error).message}`, { cause });
    }
    return res;
  };
  const json = async <T>(path: string, code: 'ENTRIES_UNAVAILABLE' | 'INCONSISTENT_PROOF'): Promise<T> => {
    const res = await get(path);
    const body = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
    if (!res.ok) throw new AuditError(code, `${path}: HTTP ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim());
    return body;
  };
  const b64 = (list: string[]): Uint8Array[] => list.map((s) => new Uint8Array(Buffer.from(s, 'base64')));
  const client: LogClient = {
    async checkpoint() {
      const res = await get('/log/checkpoint');
      if (!res.ok) throw new AuditError('HUB_UNREACHABLE', `/log/checkpoint: HTTP ${res.status}`);
      return res.text();
    },
    async entries(start, end) {
      return b64((await json<{ entries: string[] }>(`/log/entries?start=${start}&end=${end}`, 'ENTRIES_UNAVAILABLE')).entries);
    },
    async inclusionProof(index, size) {
      return b64((await json<{ proof: string[] }>(`/log/proof/inclusion?index=${index}&size=${size}`, 'INCONSISTENT_PROOF')).proof);
    },
    async consistencyProof(from, to) {
      return b64((await json<{ proof: string[] }>(`/log/proof/consistency?from=${from}&to=${to}`, 'INCONSISTENT_PROOF')).proof);
    },
  };
  if (options.token !== undefined) {
    client.batch = async (member, batchId) => {
      const path = `/v1/batches/${encodeURIComponent(member)}/${encodeURIComponent(batchId)}`;
      // An audit reads every batch: past the token's rate limit it waits as told, rather than fail.
      for (let waits = 0; ; waits++) {
        const res = await get(path, true);
        const retryAfter = Number(res.headers.get('retry-after'));
        if (res.status === 429 && waits < MAX_RATE_LIMIT_WAITS && retryAfter > 0 && retryAfter <= 60) {
          await res.arrayBuffer();
          await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
          continue;
        }
        if (!res.ok) throw new AuditError('BATCH_UNAVAILABLE', `batch ${member}/${batchId}: HTTP ${res.status}`);
        // A token that may see only part of a version 1 batch gets its items as JSON, not the signed JWS.
        const type = res.headers.get('content-type') ?? '';
        if (!type.startsWith('application/jose') && !type.startsWith('application/sd-jwt')) {
          throw new AuditError('BATCH_UNAVAILABLE', `batch ${member}/${batchId}: the token may see only part of this version 1 batch; verifying every batch needs a token with provenance:read`);
        }
        return res.text();
      }
    };
  }
  return client;
}
