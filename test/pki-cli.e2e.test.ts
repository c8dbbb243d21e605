/**
 * The federation PKI made with the CLI, checked with tools that know nothing of wildintel:
 * openssl for the issued certificate, node:crypto and plain jose for a batch JWS exactly as the
 * hub stored it (read from its database), given only the root certificate. Complements
 * test/federation-cli.e2e.test.ts (which reads the JWS back over the member API).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { openDatabase } from '../src/db/index.js';
import { signBatch } from '../src/provenance/index.js';
import { MEMBER_SIGNING_EKU } from '../src/pki/index.js';
import { sampleIndicators } from './helpers/federation.js';
import { hubEnvironment, runCli, spawnHub, type HubProcess, onlyInPass } from './helpers/hub-process.js';

describe('a member certificate and a stored batch, checked with generic tools given only the root', { skip: onlyInPass('server') }, () => {
  let dir: string;
  let fixture: Awaited<ReturnType<typeof hubEnvironment>>;
  let env: Record<string, string>;
  let hub: HubProcess | undefined;
  const file = (name: string): string => path.join(dir, name);

  before(async () => {
    fixture = await hubEnvironment();
    ({ dir, env } = fixture);
    env['ROOT_CA_CERT'] = path.join(dir, 'root.pem');
  });
  after(() => fixture.cleanup(hub));

  it('makes the root and the member key with owner-only key files, and never overwrites either', async () => {
    assert.equal((await runCli(['ca', 'init', '--cert', file('root.pem'), '--key', file('root-key.pem')], env)).code, 0);
    assert.equal((await runCli(['ca', 'init', '--cert', file('other-root.pem'), '--key', file('other-root-key.pem'), '--name', 'another federation'], env)).code, 0);
    const keygen = await runCli(['member', 'keygen', '--member', 'acme', '--out', dir], env);
    assert.equal(keygen.code, 0, keygen.stderr);
    for (const key of ['root-key.pem', 'acme-key.pem']) assert.equal((await stat(file(key))).mode & 0o777, 0o600, key);
    const before = await readFile(file('acme-key.pem'), 'utf8');
    const again = await runCli(['member', 'keygen', '--member', 'acme', '--out', dir], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /acme-key\.pem/);
    assert.equal(await readFile(file('acme-key.pem'), 'utf8'), before);
  });

  it('issues with --ca-cert and --ca-key a certificate that openssl verifies against that root only', async () => {
    const sign = await runCli(['ca', 'sign', '--csr', file('acme.csr'), '--ca-cert', file('root.pem'), '--ca-key', file('root-key.pem'), '--out', file('acme.pem')], env);
    assert.equal(sign.code, 0, sign.stderr);
    assert.match(execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', file('root.pem'), file('acme.pem')], { encoding: 'utf8' }), /acme\.pem: OK/);
    const wrongRoot = spawnSync('openssl', ['verify', '-CAfile', file('other-root.pem'), file('acme.pem')], { encoding: 'utf8' });
    assert.notEqual(wrongRoot.status, 0, 'a certificate from this root does not verify against another');
    const text = execFileSync('openssl', ['x509', '-in', file('acme.pem'), '-noout', '-subject', '-ext', 'subjectAltName,basicConstraints'], { encoding: 'utf8' });
    assert.match(text, /CN ?= ?acme/);
    assert.match(text, /DNS:acme\.members\.wildintel/);
    assert.match(text, /CA:FALSE/);
    // A member certificate signs batches: it is not a TLS server certificate for its own SAN.
    const asServer = spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', file('root.pem'), file('acme.pem')], { encoding: 'utf8' });
    assert.notEqual(asServer.status, 0, 'openssl refuses it for sslserver');
    assert.match(execFileSync('openssl', ['x509', '-in', file('acme.pem'), '-noout', '-ext', 'extendedKeyUsage'], { encoding: 'utf8' }), new RegExp(MEMBER_SIGNING_EKU.replace(/\./g, '\\.')));
  });

  it('stores a published batch that node:crypto and plain jose verify from the root certificate alone', async () => {
    hub = await spawnHub(env);
    const enroll = await runCli(['member', 'enroll', 'acme', '--cert', file('acme.pem'), '--name', 'Acme'], env);
    assert.equal(enroll.code, 0, enroll.stderr);
    const keyPem = await readFile(file('acme-key.pem'), 'utf8');
    const certPem = await readFile(file('acme.pem'), 'utf8');
    const batchId = randomUUID();
    const sent = await signBatch({ v: 1, batchId, member: 'acme', createdAt: new Date().toISOString(), tlp: 'AMBER', indicators: sampleIndicators(3, 'pki') }, { keyPem, chainPem: [certPem] });
    const res = await fetch(`${hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: sent });
    assert.equal(res.status, 201, await res.clone().text());
    const { leafIndex } = (await res.json()) as { leafIndex: number };

    // Stop the hub (the embedded database has one owner at a time) and read what it stored.
    hub.child.kill('SIGTERM');
    await hub.exited;
    const database = await openDatabase(fixture.options);
    let stored: { jws: string; entry: Uint8Array };
    try {
      const rows: Array<{ jws: string; entry: Uint8Array }> = await database.dataSource.query(
        `SELECT b.jws, e.entry FROM batches b JOIN tlog_entries e ON e.idx = b.leaf_index WHERE b.member = 'acme' AND b.batch_id = $1`,
        [batchId],
      );
      assert.equal(rows.length, 1);
      stored = rows[0]!;
    } finally {
      await database.close();
    }
    assert.equal(stored.jws, sent, 'the JWS is stored byte for byte');

    const root = new X509Certificate(await readFile(file('root.pem')));
    const { x5c, alg, typ } = decodeProtectedHeader(stored.jws);
    assert.deepEqual({ alg, typ }, { alg: 'PS256', typ: 'wildintel-batch+jws' });
    const leaf = new X509Certificate(Buffer.from(x5c![0]!, 'base64'));
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey), 'x5c[0] is issued and signed by the root');
    assert.ok(new Date(leaf.validFrom) <= new Date() && new Date() <= new Date(leaf.validTo));
    const other = new X509Certificate(await readFile(file('other-root.pem')));
    assert.equal(leaf.verify(other.publicKey), false, 'and not by another root');
    const { payload } = await compactVerify(stored.jws, await importX509(leaf.toString(), 'PS256'), { algorithms: ['PS256'] });
    const body = JSON.parse(new TextDecoder().decode(payload)) as { member: string; batchId: string };
    assert.deepEqual({ member: body.member, batchId: body.batchId }, { member: 'acme', batchId });
    assert.match(leaf.subject, /CN=acme/);

    // The public log entry at the receipt's index commits to exactly these bytes.
    const entry = JSON.parse(Buffer.from(stored.entry).toString('utf8')) as { kind: string; batchId: string; jwsSha256: string };
    assert.deepEqual(
      { kind: entry.kind, batchId: entry.batchId, jwsSha256: entry.jwsSha256 },
      { kind: 'batch', batchId, jwsSha256: createHash('sha256').update(stored.jws).digest('base64url') },
    );
    assert.equal(typeof leafIndex, 'number');
  });
});
