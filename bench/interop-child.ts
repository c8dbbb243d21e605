/**
 * One measurement of bench/interop.ts in a process of its own, so that its peak memory (the RSS
 * high-water mark, process.resourceUsage().maxRSS) is its own. Prints one JSON line:
 * {"rows", "seconds", "maxRssMiB", "bytes"?}.
 *
 *   node --import tsx bench/interop-child.ts <mode> <database url> <commodity|all> [out dir]
 *   mode: idle | select-keyset | select-all | export
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openDatabase } from '../src/db/index.js';
import { grantFor, grantVisibility, type AgencyPrincipal } from '../src/auth/index.js';
import type { Commodity } from '../src/indicators/index.js';
import { exportMispFeed } from '../src/interop/index.js';

const [mode = 'idle', url = '', commodity = 'all', out = ''] = process.argv.slice(2);
const PAGE = 2000;

/** What an AMBER token (taxii:read sellers:read) of those commodities sees, through the hub's decision. */
function visibility() {
  const principal: AgencyPrincipal = {
    kind: 'agency',
    agency: 'bench',
    sub: 'bench',
    scopes: new Set(['taxii:read', 'sellers:read']),
    tlp: 'AMBER',
    ...(commodity === 'all' ? {} : { commodities: new Set([commodity as Commodity]) }),
    jti: 'bench',
    exp: 0,
    kid: 'bench',
  };
  return grantVisibility(grantFor(principal, 'taxii'), new Date());
}

/** The rows the export reads, by plain SQL: the same joins and order, no visibility helpers, no mapping. */
const PLAIN = `SELECT s.id, s.indicator_id, s.member, s.batch_id, b.leaf_index, b.jws_sha256, s.observed_at, s.commodity, s.species, s.purpose,
    s.confidence, s.tlp, s.expires_at, s.retracted_at, s.context, s.original_text, i.type, i.value, i.quality, e.created_at, re.created_at AS retracted_logged
  FROM batches b JOIN tlog_entries e ON e.idx = b.leaf_index JOIN sightings s ON s.member = b.member AND s.batch_id = b.batch_id
  JOIN indicators i ON i.id = s.indicator_id LEFT JOIN batches rb ON rb.member = s.member AND rb.batch_id = s.retracted_by
  LEFT JOIN tlog_entries re ON re.idx = rb.leaf_index
  WHERE s.tlp = ANY($1::text[]) AND ($2::text IS NULL OR s.commodity = $2)`;

async function measure(): Promise<{ rows: number; bytes?: number }> {
  if (mode === 'idle') return { rows: 0 };
  const database = await openDatabase({ databaseUrl: url, dataDir: tmpdir(), poolSize: 2 });
  const db = database.dataSource;
  const only = commodity === 'all' ? null : commodity;
  try {
    if (mode === 'select-all') {
      const rows: unknown[] = await db.query(`${PLAIN} ORDER BY b.leaf_index, s.id`, [['CLEAR', 'GREEN', 'AMBER'], only]);
      return { rows: rows.length };
    }
    if (mode === 'select-keyset') {
      let n = 0;
      let leaf = -1;
      let id = -1;
      for (;;) {
        const page: Array<{ leaf_index: string; id: string }> = await db.query(`${PLAIN} AND b.leaf_index >= $3 AND (b.leaf_index > $3 OR s.id > $4) ORDER BY b.leaf_index, s.id LIMIT ${PAGE}`, [['CLEAR', 'GREEN', 'AMBER'], only, leaf, id]);
        n += page.length;
        if (page.length < PAGE) return { rows: n };
        leaf = Number(page.at(-1)!.leaf_index);
        id = Number(page.at(-1)!.id);
      }
    }
    if (mode === 'export') {
      const result = await exportMispFeed(db, visibility(), out);
      const files = await readdir(out);
      const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(out, f))).size));
      return { rows: result.attributes, bytes: sizes.reduce((a, b) => a + b, 0) };
    }
    throw new Error(`unknown mode ${mode}`);
  } finally {
    await database.close();
  }
}

const started = performance.now();
const result = await measure();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ ...result, seconds, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
