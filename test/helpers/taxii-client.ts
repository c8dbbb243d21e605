/**
 * A TAXII 2.1 client written against the specification (OASIS TAXII 2.1, sections 1.6, 3, 4, 5),
 * independently of the server's code: it asserts on every response what the spec requires of a
 * server (the media type, the envelope, the X-TAXII-Date-Added headers) and follows `next` the way
 * the spec says, with the same filters. Test support only.
 */
import assert from 'node:assert/strict';

export const TAXII = 'application/taxii+json;version=2.1';

export interface TaxiiResponse {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

export interface PollState {
  /** X-TAXII-Date-Added-Last of the last page that had objects: the next poll's added_after. */
  addedAfter?: string;
}

export class TaxiiClient {
  requests = 0;
  /** The Retry-After of every 429 this client waited out (seconds). */
  readonly waited: number[] = [];
  constructor(
    readonly discoveryUrl: string,
    private readonly token: string | undefined,
    /**
     * Wait out a 429 for its Retry-After and send the same request again, at most `maxWaits` times
     * in a row: what taxii2-client does with a urllib3 `Retry(status_forcelist=[429],
     * respect_retry_after_header=True)` adapter mounted on its session (docs/interop.md).
     */
    private readonly retry: { maxWaits: number } | undefined = undefined,
  ) {}

  /** A GET with the TAXII Accept header; checks the response's media type (1.6.8). */
  async get(url: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<TaxiiResponse> {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    let res = await fetch(u, { headers: { accept: TAXII, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers } });
    this.requests++;
    for (let waits = 0; res.status === 429 && this.retry !== undefined && waits < this.retry.maxWaits; waits++) {
      const after = await waitOutRetryAfter(res);
      this.waited.push(after);
      res = await fetch(u, { headers: { accept: TAXII, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers } });
      this.requests++;
    }
    assert.equal(res.headers.get('content-type')?.replace(/\s/g, ''), TAXII, `${u}: every TAXII response has the TAXII media type`);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
  }

  async ok(url: string, params: Record<string, string> = {}): Promise<TaxiiResponse> {
    const r = await this.get(url, params);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    return r;
  }

  /** Discovery (4.1): the API roots, resolved against the discovery URL. */
  async apiRoots(): Promise<string[]> {
    const { body } = await this.ok(this.discoveryUrl);
    assert.equal(typeof body['title'], 'string', 'discovery has a title');
    const roots = (body['api_roots'] as string[]).map((r) => new URL(r, this.discoveryUrl).toString());
    if (body['default'] !== undefined) assert.ok(roots.includes(new URL(body['default'], this.discoveryUrl).toString()), 'default is one of api_roots');
    return roots;
  }

  /** API root information (4.2): it must speak TAXII 2.1. */
  async apiRoot(url: string): Promise<Record<string, any>> {
    const { body } = await this.ok(url);
    assert.ok((body['versions'] as string[]).includes(TAXII), 'the API root supports TAXII 2.1');
    assert.equal(typeof body['max_content_length'], 'number');
    return body;
  }

  /** Collections (5.1), each with the required properties. */
  async collections(apiRoot: string): Promise<Array<Record<string, any>>> {
    const { body } = await this.ok(`${apiRoot}collections/`);
    const list = (body['collections'] ?? []) as Array<Record<string, any>>;
    for (const c of list) {
      for (const p of ['id', 'title', 'can_read', 'can_write']) assert.ok(p in c, `a collection has ${p}`);
    }
    return list;
  }

  /**
   * One pass over a collection's objects (5.3): pages of `limit`, following `next` with the same
   * filters until `more` is false; then `state.addedAfter` is the last X-TAXII-Date-Added-Last.
   */
  async poll(collectionUrl: string, state: PollState, options: { limit?: number; filters?: Record<string, string>; endpoint?: 'objects' | 'manifest'; onPage?: (page: number) => Promise<void> } = {}): Promise<Array<Record<string, any>>> {
    const base = { ...(options.filters ?? {}), ...(options.limit ? { limit: String(options.limit) } : {}), ...(state.addedAfter ? { added_after: state.addedAfter } : {}) };
    const all: Array<Record<string, any>> = [];
    let next: string | undefined;
    for (let page = 0; ; page++) {
      const { headers, body } = await this.ok(`${collectionUrl}${options.endpoint ?? 'objects'}/`, { ...base, ...(next ? { next } : {}) });
      const objects = (body['objects'] ?? []) as Array<Record<string, any>>;
      assert.equal(typeof body['more'], 'boolean', 'an envelope says whether more follows');
      if (options.limit) assert.ok(objects.length <= options.limit, 'never more than limit');
      if (objects.length > 0) {
        const first = headers.get('x-taxii-date-added-first');
        const last = headers.get('x-taxii-date-added-last');
        assert.ok(first && last, 'a page with objects carries X-TAXII-Date-Added-First and -Last');
        assert.match(last, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'microsecond precision (3.2)');
        assert.ok(first <= last);
        state.addedAfter = last;
      }
      all.push(...objects);
      if (!body['more']) return all;
      assert.equal(typeof body['next'], 'string', 'more without next leaves a client nothing to resume from');
      next = body['next'];
      await options.onPage?.(page);
    }
  }
}

/** Reads a 429's Retry-After (whole seconds, as the server must send it) and sleeps that long. */
export async function waitOutRetryAfter(res: Response): Promise<number> {
  const header = res.headers.get('retry-after');
  assert.ok(header !== null && /^\d+$/.test(header), `a 429 carries Retry-After in whole seconds (got ${header})`);
  await res.arrayBuffer();
  const seconds = Number(header);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return seconds;
}
