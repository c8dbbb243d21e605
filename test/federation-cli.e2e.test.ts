import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { signBatch, signMemberRequest } from '../src/provenance/index.js';
import { runCli, spawnHub, type HubProcess, hubEnvironment, onlyInPass } from './helpers/hub-process.js';
import { sampleIndicators } from './helpers/federation.js';

describe('a federation set up with the CLI, as an operator and a member would', { skip: onlyInPass('embedded') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let hub: HubProcess | undefined;
  let env: Record<string, string>;

  before(async () => {
    fixture = await hubEnvironment({ HUB_ORIGIN: 'http://hub.test' });
    ({ dir, env } = fixture);
    env['ROOT_CA_CERT'] = path.join(dir, 'root.pem');
  });
  after(() => fixture.cleanup(hub));

  it('creates the root CA with the key readable by its owner only, and never overwrites it', async () => {
    const args = ['ca', 'init', '--cert', path.join(dir, 'root.pem'), '--key', path.join(dir, 'root-key.pem')];
    const first = await runCli(args, env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await stat(path.join(dir, 'root-key.pem'))).mode & 0o777, 0o600);
    const again = await runCli(args, env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /refusing to overwrite .*root-key\.pem \[KEY_FILE_EXISTS\]/);
  });

  it('issues a member certificate from a CSR that openssl verifies against the root', async () => {
    const keygen = await runCli(['member', 'keygen', '--member', 'acme', '--out', dir], env);
    assert.equal(keygen.code, 0, keygen.stderr);
    const sign = await runCli(['ca', 'sign', '--csr', path.join(dir, 'acme.csr'), '--ca-key', path.join(dir, 'root-key.pem'), '--out', path.join(dir, 'acme.pem')], env);
    assert.equal(sign.code, 0, sign.stderr);
    const verified = execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'root.pem'), path.join(dir, 'acme.pem')], { encoding: 'utf8' });
    assert.match(verified, /acme\.pem: OK/);
  });

  it('enrols the member while the hub runs, and a published batch verifies with a generic JOSE library given only the root', async () => {
    hub = await spawnHub(env);
    const enroll = await runCli(['member', 'enroll', 'acme', '--cert', path.join(dir, 'acme.pem'), '--name', 'Acme Market'], env);
    assert.equal(enroll.code, 0, enroll.stderr);
    const list = await runCli(['member', 'list'], env);
    assert.match(list.stdout, /acme {2}Acme Market {2}active/);

    const keyPem = await readFile(path.join(dir, 'acme-key.pem'), 'utf8');
    const certPem = await readFile(path.join(dir, 'acme.pem'), 'utf8');
    const jws = await signBatch({ v: 1, batchId: randomUUID(), member: 'acme', createdAt: new Date().toISOString(), tlp: 'GREEN', indicators: sampleIndicators(2, 'cli') }, { keyPem, chainPem: [certPem] });
    const res = await fetch(`${hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    assert.equal(res.status, 201);

    // The JWS as the hub stored it, fetched the way a member reads it: with a request token signed by its own key.
    const token = await signMemberRequest({ keyPem, chainPem: [certPem], member: 'acme', audience: env['HUB_ORIGIN']!, now: new Date(), jti: randomUUID() });
    const { batchId } = (await res.json()) as { batchId: string };
    const stored = await (await fetch(`${hub.url}/v1/batches/acme/${batchId}`, { headers: { authorization: `Bearer ${token}` } })).text();
    assert.equal(stored, jws);
    // Only node:crypto and the root certificate decide whether x5c[0] is trustworthy…
    const root = new X509Certificate(await readFile(path.join(dir, 'root.pem')));
    const x5c = decodeProtectedHeader(stored).x5c!;
    const leaf = new X509Certificate(Buffer.from(x5c[0]!, 'base64'));
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey));
    // …and plain jose verifies the JWS with the leaf's key.
    const { payload } = await compactVerify(stored, await importX509(leaf.toString(), 'PS256'));
    assert.equal((JSON.parse(new TextDecoder().decode(payload)) as { member: string }).member, 'acme');
  });

  it('revokes the member: the next batch is refused with CERT_REVOKED', async () => {
    const revoke = await runCli(['member', 'revoke', 'acme', '--reason', 'keyCompromise'], env);
    assert.equal(revoke.code, 0, revoke.stderr);
    const keyPem = await readFile(path.join(dir, 'acme-key.pem'), 'utf8');
    const certPem = await readFile(path.join(dir, 'acme.pem'), 'utf8');
    const jws = await signBatch({ v: 1, batchId: randomUUID(), member: 'acme', createdAt: new Date(Date.now() + 1000).toISOString(), tlp: 'GREEN', indicators: sampleIndicators(1, 'late') }, { keyPem, chainPem: [certPem] });
    const res = await fetch(`${hub!.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CERT_REVOKED');
  });
});
