import { createTestDatabase } from './src/db/test-database.ts';
import { listIndicators, unrestricted } from './src/indicators/index.ts';
process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const t = await createTestDatabase();
const db = t.database.dataSource;
try {
  await db.query(`INSERT INTO members (slug, name) VALUES ('shopmart','S'),('chatapp','C'),('searchco','Q')`);
  await db.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256, leaf_index)
    SELECT (ARRAY['shopmart','chatapp','searchco'])[1 + g % 3], md5(g::text)::uuid, 'AMBER', now(), 10, 'x', 'x', g FROM generate_series(0, 2999) g`);
  await db.query(`INSERT INTO indicators (id, type, value) SELECT translate(substr(encode(sha256(g::text::bytea), 'base64'), 1, 43), '+/=', '-_A'), (ARRAY['KEYWORD','SELLER','IMAGE_PDQ'])[1 + g % 3], 'v' || g || CASE WHEN g % 7 = 0 THEN '象牙' ELSE '' END FROM generate_series(0, 29999) g`);
  await db.query(`INSERT INTO sightings (indicator_id, member, batch_id, observed_at, commodity, confidence, tlp)
    SELECT i.id, (ARRAY['shopmart','chatapp','searchco'])[1 + ((i.seq - 1) / 10) % 3], md5(((i.seq - 1) / 10)::text)::uuid, now(), (ARRAY['IVORY','PANGOLIN','TIGER'])[1 + i.seq % 3], 80, 'AMBER' FROM indicators i`);
  await db.query('ANALYZE');
  const vis = { ...unrestricted(new Date()), tlps: ['CLEAR', 'GREEN', 'AMBER'] as const } as never;
  const explain = async (sql: string, params: unknown[]) => console.log((await db.query('EXPLAIN (ANALYZE, BUFFERS OFF) ' + sql, params)).map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
  await explain(`SELECT count(*)::int AS n FROM indicators i WHERE EXISTS (SELECT 1 FROM sightings f WHERE f.indicator_id = i.id AND f.tlp = ANY($1::text[]) AND f.retracted_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > now()) AND f.commodity = 'IVORY')`, [['CLEAR','GREEN','AMBER']]);
  await explain(`SELECT i.id FROM indicators i WHERE EXISTS (SELECT 1 FROM sightings f WHERE f.indicator_id = i.id AND f.tlp = ANY($1::text[]) AND f.retracted_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > now()) AND f.commodity = 'IVORY') ORDER BY i.seq DESC LIMIT 21`, [['CLEAR','GREEN','AMBER']]);
  await explain(`SELECT i.id FROM indicators i WHERE i.type = 'KEYWORD' AND EXISTS (SELECT 1 FROM sightings f WHERE f.indicator_id = i.id AND f.tlp = ANY($1::text[]) AND f.retracted_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > now())) ORDER BY i.seq DESC LIMIT 21`, [['CLEAR','GREEN','AMBER']]);
  for (const filter of [{ type: 'KEYWORD' }, { commodity: 'IVORY' }, { member: 'chatapp' }, { keywordContains: '象牙' }]) {
    for (let k = 0; k < 3; k++) await listIndicators(db, filter, vis, { first: 20 });
    const t0 = performance.now();
    const page = await listIndicators(db, filter, vis, { first: 20 });
    console.log(JSON.stringify(filter), page.totalCount, Math.round((performance.now() - t0) * 10) / 10, 'ms');
  }
} finally { await t.drop(); }
