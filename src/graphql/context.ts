import type { DataSource } from 'typeorm';
import type { IngestService, Reader } from '../ingest/index.js';
import type { Clock, Logger } from '../kernel/index.js';
import type { TransparencyLog } from '../tlog/index.js';

/** Built once per request by the hub; resolvers reach the domain only through it. */
export interface GraphQLContext {
  readonly db: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestId: string;
  readonly ingest: IngestService;
  readonly log: TransparencyLog;
  /** Who is asking, from the bearer token; authenticated on first use. */
  reader(): Promise<Reader>;
}
