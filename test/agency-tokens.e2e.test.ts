import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { signBatch } from '../src/provenance/index.js';
import { graphql, runCli, spawnHub, type HubProcess, hubEnvironment, onlyInPass } from './helpers/hub-process.js';
import { indicatorId } from '../src/indicators/index.js';
import { sampleIndicators } from './helpers/federation.js';

describe('agency tokens through the CLI and the hub', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let hub: HubProcess;
  let env: Record<string, string>;
  const batchIds = { amber: randomUUID(), red: randomUUID() };
  const cli = async (...args: string[]): Promise<string> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const get = (p: string, token?: string): Promise<Response> => fetch(`${hub.url}${p}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  before(async () => {
    fixture = await hubEnvironment({ HUB_ORIGIN: 'http://hub.test' });
    ({ dir, env } = fixture);
    hub = await spawnHub(env);
    await cli('member', 'create', 'shopmart', '--out', path.join(dir, 'm'));
    const signer = { keyPem: await readFile(path.join(dir, 'm/key.pem'), 'utf8'), chainPem: [await readFile(path.join(dir, 'm/cert.pem'), 'utf8')] };
    for (const [tlp, batchId] of [['AMBER', batchIds.amber], ['RED', batchIds.red]] as const) {
      const jws = await signBatch({ v: 1, batchId, member: 'shopmart', createdAt: new Date().toISOString(), tlp, indicators: sampleIndicators(2, tlp.toLowerCase()) }, signer);
      assert.equal((await fetch(`${hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws })).status, 201);
    }
    await cli('agency', 'add', 'customs', '--name', 'Customs Anti-Smuggling Bureau');
  });
  after(() => fixture.cleanup(hub));

  it('issues a token signed by a key in the JWKS, and logs the issuance without the token', async () => {
    const token = await cli('token', 'issue', '--agency', 'customs', '--sub', 'analyst-1', '--scope', 'indicators:read', '--tlp', 'GREEN', '--ttl', '2h');
    const jwks = (await (await get('/.well-known/jwks.json')).json()) as { keys: Array<{ kid: string; kty: string; crv: string; d?: string }> };
    assert.deepEqual(jwks.keys.map((k) => [k.kid, k.kty, k.crv, k.d]), [[decodeProtectedHeader(token).kid, 'OKP', 'Ed25519', undefined]]);
    const size = Number((await (await get('/log/checkpoint')).text()).split('\n')[1]);
    const { entries } = (await (await get(`/log/entries?start=${size - 1}&end=${size}`)).json()) as { entries: string[] };
    const entry = JSON.parse(Buffer.from(entries[0]!, 'base64').toString()) as Record<string, unknown>;
    assert.equal(entry['kind'], 'token');
    assert.equal(entry['agency'], 'customs');
    assert.equal(entry['scope'], 'indicators:read');
    assert.ok(!Buffer.from(entries[0]!, 'base64').toString().includes(token.split('.')[2]!), 'the token itself is never logged');
  });

  it('lets a token read batch content up to its TLP only; provenance:read reads everything', async () => {
    const green = await cli('token', 'issue', '--agency', 'customs', '--sub', 'a2', '--scope', 'indicators:read', '--tlp', 'GREEN');
    const amber = await cli('token', 'issue', '--agency', 'customs', '--sub', 'a3', '--scope', 'indicators:read', '--tlp', 'AMBER');
    const auditor = await cli('token', 'issue', '--agency', 'customs', '--sub', 'auditor', '--scope', 'provenance:read audit:read', '--tlp', 'CLEAR');
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.amber}`, green)).status, 404);
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.amber}`, amber)).status, 200);
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.red}`, amber)).status, 404);
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.red}`, auditor)).status, 200);
  });

  it('refuses a revoked token from the next request on, though the hub had just accepted it', async () => {
    const token = await cli('token', 'issue', '--agency', 'customs', '--sub', 'a4', '--scope', 'indicators:read', '--tlp', 'AMBER');
    const jti = String((JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti);
    assert.equal((await get(`/v1/batches/shopmart/${batchIds.amber}`, token)).status, 200, 'accepted (and remembered as unrevoked)');
    // On Postgres the CLI revokes in its own process: the hub learns of it by NOTIFY.
    await cli('token', 'revoke', jti);
    const res = await get(`/v1/batches/shopmart/${batchIds.amber}`, token);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { details: { reason: string } } }).error.details.reason, 'REVOKED');
    assert.match(await cli('token', 'list'), new RegExp(`${jti} {2}customs/a4 .* REVOKED`));
  });

  it('lets an auditor verify every batch with audit verify --token', async () => {
    const auditor = await cli('token', 'issue', '--agency', 'customs', '--sub', 'auditor-2', '--scope', 'provenance:read', '--tlp', 'CLEAR');
    const vkey = (await cli('hub', 'keys')).match(/verifier key +(\S+)/)![1]!;
    const root = path.join(dir, 'certs/dev/root.pem');
    const out = await cli('audit', 'verify', '--hub', hub.url, '--root', root, '--log-key', vkey, '--token', auditor, '--state', path.join(dir, 'audit.json'));
    assert.match(out, /batches verified: 2/);
  });

  it('answers provenance(indicatorId) with the sightings the token may see', async () => {
    const id = indicatorId('KEYWORD', 'ivoryamber0');
    const q = 'query($id: ID!) { provenance(indicatorId: $id) { treeSize sightings { member tlp leafIndex } } }';
    const green = await cli('token', 'issue', '--agency', 'customs', '--sub', 'p1', '--scope', 'indicators:read', '--tlp', 'GREEN');
    const amber = await cli('token', 'issue', '--agency', 'customs', '--sub', 'p2', '--scope', 'indicators:read', '--tlp', 'AMBER');
    assert.deepEqual((await graphql(hub.url, q, { id }, { authorization: `Bearer ${green}` })).body.data, { provenance: null });
    const seen = (await graphql(hub.url, q, { id }, { authorization: `Bearer ${amber}` })).body.data!['provenance'] as { sightings: Array<{ member: string; tlp: string }> };
    assert.deepEqual(seen.sightings.map((x) => [x.member, x.tlp]), [['shopmart', 'AMBER']]);
    const anonymous = await graphql(hub.url, q, { id });
    assert.equal(anonymous.body.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED');
  });

  it('exports a provenance bundle that checks offline, and refuses a tampered one', async () => {
    const auditor = await cli('token', 'issue', '--agency', 'customs', '--sub', 'exporter', '--scope', 'provenance:read', '--tlp', 'CLEAR');
    const id = indicatorId('KEYWORD', 'ivoryred1');
    const bundle = await cli('audit', 'export', '--indicator', id, '--hub', hub.url, '--token', auditor);
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, bundle);
    const vkey = (await cli('hub', 'keys')).match(/verifier key +(\S+)/)![1]!;
    const root = path.join(dir, 'certs/dev/root.pem');
    assert.match(await cli('audit', 'check', file, '--root', root, '--log-key', vkey), /bundle verified: indicator .* in a log of \d+ entries\n {2}shopmart batch/);
    const tampered = JSON.parse(bundle) as { sightings: Array<{ jws: string }> };
    const [h, p, sig] = tampered.sightings[0]!.jws.split('.');
    tampered.sightings[0]!.jws = `${h}.${Buffer.from(Buffer.from(p!, 'base64url').toString().replace('"confidence":80', '"confidence":90')).toString('base64url')}.${sig}`;
    await writeFile(file, JSON.stringify(tampered));
    const refused = await runCli(['audit', 'check', file, '--root', root, '--log-key', vkey], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\[BATCH_HASH_MISMATCH\]/);
  });
});
