import type { DataSource } from 'typeorm';
import { KeywordAutomaton, PdqIndex, type KeywordHit, type PdqMatch } from '../matching/index.js';
import { startedAfterCall, type Logger } from '../kernel/index.js';
import { isPdqHex, pdqDihedralFromHash } from '../hashing/index.js';

const CHUNK = 50_000;
const BATCHES = 500;

/**
 * The in-memory matching indexes behind matchImage and matchText: every IMAGE_PDQ and KEYWORD
 * indicator ever accepted (visibility is applied when results are read from the store, so the
 * indexes need not know who asks). Loaded at start in chunks with progress logged, then kept
 * current by reading the indicators of the batches logged since, before each search and on each
 * accepted batch.
 */
export function createMatchIndexes(deps: { db: DataSource; logger: Logger }) {
  const images = new PdqIndex();
  const keywords = new KeywordAutomaton();
  // Kept current in log order. Indicators take their `seq` at INSERT, before the batch waits for
  // the log's lock, so concurrent batches commit out of `seq` order; a leaf index is taken under
  // that lock, held until commit, so nothing committed later has a smaller one.
  let lastLeaf = -1;
  const add = (rows: ReadonlyArray<{ id: string; type: string; value: string }>): void => {
    for (const r of rows) {
      if (r.type === 'IMAGE_PDQ') images.add(r.id, r.value);
      else keywords.add(r.id, r.value);
    }
  };

  /** Everything, in `seq` chunks (fast); batches logged after `lastLeaf` are read again by `readNew`. */
  const readAll = async (onChunk: (loaded: number) => void): Promise<void> => {
    const [last]: Array<{ n: string | number | null }> = await deps.db.query(`SELECT max(leaf_index) AS n FROM batches`);
    lastLeaf = last?.n == null ? -1 : Number(last.n);
    let loaded = 0;
    const chunkAfter = (seq: number): Promise<Array<{ seq: string | number; id: string; type: string; value: string }>> =>
      deps.db.query(`SELECT seq, id, type, value FROM indicators WHERE seq > $1 AND type IN ('IMAGE_PDQ', 'KEYWORD') ORDER BY seq LIMIT ${CHUNK}`, [seq]);
    // The next chunk is asked for before this one is added: Postgres reads and sends it while
    // this process indexes (two cores at work instead of one waiting on the other).
    let next = chunkAfter(0);
    for (;;) {
      const rows = await next;
      if (rows.length === CHUNK) next = chunkAfter(Number(rows.at(-1)!.seq));
      add(rows);
      loaded += rows.length;
      onChunk(loaded);
      if (rows.length < CHUNK) return;
    }
  };

  /** The indicators of the batches logged since the last read. */
  const readNew = async (): Promise<number> => {
    let loaded = 0;
    for (;;) {
      const [range]: Array<{ upto: string | number | null }> = await deps.db.query(
        `SELECT max(leaf_index) AS upto FROM (SELECT leaf_index FROM batches WHERE leaf_index > $1 ORDER BY leaf_index LIMIT ${BATCHES}) AS next`,
        [lastLeaf],
      );
      if (range?.upto == null) return loaded;
      const upto = Number(range.upto);
      const rows: Array<{ id: string; type: string; value: string }> = await deps.db.query(
        `SELECT i.id, i.type, i.value FROM batches b
           JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
           JOIN indicators i ON i.id = s.indicator_id
         WHERE b.leaf_index > $1 AND b.leaf_index <= $2 AND i.type IN ('IMAGE_PDQ', 'KEYWORD')`,
        [lastLeaf, upto],
      );
      add(rows);
      loaded += rows.length;
      lastLeaf = upto;
    }
  };

  // One read at a time; callers arriving during a read wait for the next one, which starts after
  // they arrived and so sees everything committed before their call (read-your-writes).
  const fresh = startedAfterCall(readNew);

  return {
    async load(): Promise<void> {
      const total: Array<{ n: number }> = await deps.db.query(`SELECT count(*)::int AS n FROM indicators WHERE type IN ('IMAGE_PDQ', 'KEYWORD')`);
      const n = total[0]?.n ?? 0;
      const t0 = performance.now();
      deps.logger.info({ total: n }, 'loading matching indexes');
      await readAll((loaded) => {
        if (loaded > 0 && loaded < n) deps.logger.info({ loaded, total: n, percent: Math.round((100 * loaded) / n) }, 'loading matching indexes');
      });
      deps.logger.info({ images: images.size, keywords: keywords.size, ms: Math.round(performance.now() - t0), memoryMiB: Math.round((images.memoryBytes() + keywords.memoryBytes()) / 2 ** 20) }, 'matching indexes loaded');
    },
    /** Adds indicators accepted since the last load or refresh. */
    refresh: fresh,
    /**
     * Searches after catching up with every indicator committed before the call (one indexed
     * query), for the hash and its dihedral variants (a mirrored or rotated copy), each hit at its
     * smallest distance. An invalid hash is refused by the index before variants are made of it.
     */
    async matchImage(hex: string, maxDistance: number): Promise<PdqMatch[]> {
      await fresh();
      return images.searchAny(isPdqHex(hex) ? Object.values(pdqDihedralFromHash(hex)) : [hex], maxDistance);
    },
    async matchText(text: string): Promise<KeywordHit[]> {
      await fresh();
      return keywords.match(text);
    },
    sizes: () => ({ images: images.size, keywords: keywords.size }),
  };
}

export type MatchIndexes = ReturnType<typeof createMatchIndexes>;
