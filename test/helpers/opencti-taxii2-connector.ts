/**
 * The HTTP requests OpenCTI's TAXII2 connector (OpenCTI-Platform/connectors,
 * external-import/taxii2, connector.py and client_taxii.py) makes, replayed request for request:
 * taxii2-client's TokenAuth (`Authorization: Token <key>`) with TAXII2_USE_TOKEN=true, its Accept
 * header, and the connector's one `filters` dictionary shared by every collection of a run and
 * kept from one run to the next: `limit` and `added_after` are set at the start of a run,
 * `next` replaces `added_after` once a collection pages, and stays set for the next collection.
 * Written from those sources' behaviour for the tests; none of their code is here.
 */
import { TAXII, waitOutRetryAfter } from './taxii-client.js';

type Obj = Record<string, any>;

export interface ConnectorRequest {
  readonly url: string;
  readonly status: number;
}

/** taxii2-client's `_format_datetime`: UTC, a fraction only when the microseconds are not zero. */
export function taxii2ClientTime(d: Date): string {
  const iso = d.toISOString();
  return d.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
}

export class Taxii2ConnectorReplay {
  /** The connector's `self.taxii2.filters`: it lives as long as the connector process. */
  readonly filters = new Map<string, string>();
  readonly requests: ConnectorRequest[] = [];
  lastRun: Date | undefined;

  constructor(
    private readonly discoveryUrl: string,
    private readonly token: string,
    /** `retryMaxWaits`: a urllib3 Retry honouring Retry-After mounted on taxii2-client's session (none by default, as shipped). */
    private readonly options: { limit: number; initialHistoryHours: number; retryMaxWaits?: number },
  ) {}

  private async get(url: string, params: Map<string, string> = new Map()): Promise<Obj> {
    const u = new URL(url);
    for (const [k, v] of params) if (v !== '') u.searchParams.set(k, v);
    const send = () => fetch(u, { headers: { accept: TAXII, authorization: `Token ${this.token}`, 'user-agent': 'python-requests/2.31.0' } });
    let res = await send();
    this.requests.push({ url: u.toString(), status: res.status });
    for (let waits = 0; res.status === 429 && waits < (this.options.retryMaxWaits ?? 0); waits++) {
      await waitOutRetryAfter(res);
      res = await send();
      this.requests.push({ url: u.toString(), status: res.status });
    }
    // raise_for_status(): an HTTPError ends the run (connector.py catches it around the whole root).
    if (res.status >= 400) throw new Error(`HTTP ${res.status} for ${u}: ${await res.text()}`);
    return (await res.json()) as Obj;
  }

  /** One scheduled run with TAXII2_COLLECTIONS=<root>.* : every collection of the root, in listed order. */
  async run(rootPath: string, now: Date): Promise<{ objects: Obj[]; perCollection: Map<string, Obj[]> }> {
    this.filters.set('limit', String(this.options.limit));
    const since = this.lastRun ?? new Date(now.getTime() - this.options.initialHistoryHours * 3_600_000);
    this.filters.set('added_after', taxii2ClientTime(since));
    const discovery = await this.get(this.discoveryUrl);
    const roots = (discovery['api_roots'] as string[]).map((r) => new URL(r, this.discoveryUrl).toString().replace(/\/?$/, '/'));
    const root = roots.find((r) => r.split('/').at(-2) === rootPath);
    if (root === undefined) throw new Error(`Api Root ${rootPath} does not exist in the TAXII server`);
    const collections = ((await this.get(`${root}collections/`))['collections'] ?? []) as Obj[];
    const perCollection = new Map<string, Obj[]>();
    const objects: Obj[] = [];
    for (const c of collections) {
      const got = await this.poll(`${root}collections/${c['id']}/`);
      perCollection.set(String(c['title']), got);
      objects.push(...got);
    }
    this.lastRun = now;
    return { objects, perCollection };
  }

  /** client_taxii.py `poll` for TAXII 2.1: follow `next` while `more` is true, dropping `added_after`. */
  private async poll(collectionUrl: string): Promise<Obj[]> {
    const objects: Obj[] = [];
    let response = await this.get(`${collectionUrl}objects/`, this.filters);
    if (!Array.isArray(response['objects']) || response['objects'].length === 0) return objects;
    for (;;) {
      objects.push(...((response['objects'] ?? []) as Obj[]));
      if (response['more'] !== true) return objects;
      // The connector would ask the same page forever; a test stops instead.
      if (typeof response['next'] !== 'string') throw new Error('more without next');
      this.filters.delete('added_after');
      this.filters.set('next', response['next']);
      response = await this.get(`${collectionUrl}objects/`, this.filters);
    }
  }
}
