import type { DataSource } from 'typeorm';
import { KeywordAutomaton, PdqIndex, type KeywordHit, type PdqMatch } from '../matching/index.js';
import type { Logger } from '../kernel/index.js';

const CHUNK = 50_000;

/**
 * The in-memory matching indexes behind matchImage and matchText: every IMAGE_PDQ and KEYWORD
 * indicator ever accepted (visibility is applied when results are read from the store, so the
 * indexes need not know who asks). Loaded at start in chunks with progress logged, then kept
 * current by reading indicators newer than the last one loaded, before each search and on each
 * accepted batch.
 */
export function createMatchIndexes(deps: { db: DataSource; logger: Logger }) {
  const images = new PdqIndex();
  const keywords = new KeywordAutomaton();
  let lastSeq = 0;

  const readFrom = async (onChunk?: (loaded: number) => void): Promise<number> => {
    let loaded = 0;
    for (;;) {
      const rows: Array<{ seq: string | number; id: string; type: string; value: string }> = await deps.db.query(
        `SELECT seq, id, type, value FROM indicators WHERE seq > $1 AND type IN ('IMAGE_PDQ', 'KEYWORD') ORDER BY seq LIMIT ${CHUNK}`,
        [lastSeq],
      );
      for (const r of rows) {
        if (r.type === 'IMAGE_PDQ') images.add(r.id, r.value);
        else keywords.add(r.id, r.value);
      }
      loaded += rows.length;
      if (rows.length > 0) lastSeq = Number(rows.at(-1)!.seq);
      onChunk?.(loaded);
      if (rows.length < CHUNK) return loaded;
    }
  };

  // One read at a time; callers arriving during a read wait for the next one, which starts after
  // they arrived and so sees everything committed before their call (read-your-writes).
  let current: Promise<number> | undefined;
  let following: Promise<number> | undefined;
  const fresh = (): Promise<number> => {
    if (current === undefined) {
      current = readFrom().finally(() => (current = undefined));
      return current;
    }
    following ??= current.then(
      () => ((following = undefined), fresh()),
      () => ((following = undefined), fresh()),
    );
    return following;
  };

  return {
    async load(): Promise<void> {
      const total: Array<{ n: number }> = await deps.db.query(`SELECT count(*)::int AS n FROM indicators WHERE type IN ('IMAGE_PDQ', 'KEYWORD')`);
      const n = total[0]?.n ?? 0;
      const t0 = performance.now();
      deps.logger.info({ total: n }, 'loading matching indexes');
      await readFrom((loaded) => {
        if (loaded > 0 && loaded < n) deps.logger.info({ loaded, total: n, percent: Math.round((100 * loaded) / n) }, 'loading matching indexes');
      });
      deps.logger.info({ images: images.size, keywords: keywords.size, ms: Math.round(performance.now() - t0), memoryMiB: Math.round((images.memoryBytes() + keywords.memoryBytes()) / 2 ** 20) }, 'matching indexes loaded');
    },
    /** Adds indicators accepted since the last load or refresh. */
    refresh: fresh,
    /** Searches after catching up with every indicator committed before the call (one indexed query). */
    async matchImage(hex: string, maxDistance: number): Promise<PdqMatch[]> {
      await fresh();
      return images.search(hex, maxDistance);
    },
    async matchText(text: string): Promise<KeywordHit[]> {
      await fresh();
      return keywords.match(text);
    },
    sizes: () => ({ images: images.size, keywords: keywords.size }),
  };
}

export type MatchIndexes = ReturnType<typeof createMatchIndexes>;
