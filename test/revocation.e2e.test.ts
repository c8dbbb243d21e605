/**
 * The revocation rule (src/pki/revocation-rule.ts), replayed against a real hub: a certificate
 * vouches for what the hub logged before its revocation entry and nothing after, whatever the
 * signer wrote in createdAt, through rotation too; and `audit verify` catches a hub that breaks
 * the rule (the offending batch is put straight into the database, as a dishonest operator would).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { auditLog, AuditError, createHttpLogClient } from '../src/audit/index.js';
import { sha256Base64url, systemClock } from '../src/kernel/index.js';
import { sampleIndicators, startTestFederation, type TestFederation, type TestMember } from './helpers/federation.js';

const post = (fed: TestFederation, jws: string) => fetch(`${fed.hub.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
const codeOf = async (r: Response): Promise<string> => ((await r.json()) as { error: { code: string } }).error.code;

const audit = (fed: TestFederation, token?: string) =>
  auditLog({ client: createHttpLogClient(fed.hub.url, token === undefined ? {} : { token }), verifierKey: fed.hub.services.log.verifierKey, rootPem: fed.rootCertPem, clock: systemClock });

/** Logs a batch without asking ingest, as a hub that ignored the rule would. */
async function injectBatch(fed: TestFederation, member: string, jws: string): Promise<number> {
  const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as { batchId: string; tlp: string; createdAt: string; indicators: unknown[] };
  return fed.hub.database.dataSource.transaction(async (tx) => {
    await tx.query(`INSERT INTO batches (member, batch_id, tlp, created_at, indicator_count, jws, jws_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      member, payload.batchId, payload.tlp, new Date(payload.createdAt), payload.indicators.length, jws, sha256Base64url(jws),
    ]);
    const { firstIndex } = await fed.hub.services.log.append(tx, [{ kind: 'batch', member, batchId: payload.batchId, tlp: payload.tlp as 'AMBER', count: payload.indicators.length, jwsSha256: sha256Base64url(jws) }]);
    await tx.query(`UPDATE batches SET leaf_index = $3 WHERE member = $1 AND batch_id = $2`, [member, payload.batchId, firstIndex]);
    return firstIndex;
  });
}

describe('revocation is decided by the hub’s time of receipt', () => {
  let fed: TestFederation;
  let auditor: string;
  before(async () => {
    fed = await startTestFederation();
    auditor = await fed.token('provenance:read', { agency: 'oversight', tlp: 'RED' });
  });
  after(() => fed.close());

  describe('when a member rotates its key (new certificate, old one revoked as superseded)', () => {
    let old: TestMember;
    let current: TestMember;
    let signedBeforeRevocation: string;
    let sentBeforeRevocation: string;
    before(async () => {
      old = await fed.addMember('rotor');
      sentBeforeRevocation = await fed.sign(old, { indicators: sampleIndicators(1, 'sent') });
      assert.equal((await post(fed, sentBeforeRevocation)).status, 201);
      current = await fed.addMember('rotor');
      signedBeforeRevocation = await fed.sign(old, { indicators: sampleIndicators(1, 'unsent') });
      const serial = (await fed.hub.services.members.get('rotor'))!.certificates[0]!.serial;
      await fed.hub.services.members.revoke({ slug: 'rotor', serial, reason: 'superseded' });
    });

    const cases: Array<[string, () => Promise<string>]> = [
      ['signed before the revocation but sent after', async () => signedBeforeRevocation],
      ['backdated two minutes', async () => fed.sign(old, { createdAt: new Date(Date.now() - 120_000).toISOString(), indicators: sampleIndicators(1, 'backdated') })],
      ['dated four minutes ahead', async () => fed.sign(old, { createdAt: new Date(Date.now() + 240_000).toISOString(), indicators: sampleIndicators(1, 'ahead') })],
    ];
    for (const [name, jws] of cases) {
      it(`refuses a batch of the old key ${name} with CERT_REVOKED`, async () => {
        const r = await post(fed, await jws());
        assert.equal(r.status, 403);
        assert.equal(await codeOf(r), 'CERT_REVOKED');
      });
    }

    it('answers a replay of a batch the old key had logged with its original receipt', async () => {
      assert.equal((await post(fed, sentBeforeRevocation)).status, 200);
    });

    it('accepts the new key, keeps the member active, and the log audits clean', async () => {
      assert.equal((await post(fed, await fed.sign(current, { indicators: sampleIndicators(1, 'newkey') }))).status, 201);
      assert.equal((await fed.hub.services.members.get('rotor'))!.status, 'active');
      const report = await audit(fed, auditor);
      assert.ok(report.batchesVerified >= 2);
    });
  });

  describe('audit verify catches a hub that logs a batch after its certificate’s revocation', () => {
    it('from the entries alone, when every certificate of the member was revoked', async () => {
      const other = await startTestFederation();
      try {
        const gone = await other.addMember('gone');
        assert.equal((await post(other, await other.sign(gone, { indicators: sampleIndicators(1, 'ok') }))).status, 201);
        await other.hub.services.members.revoke({ slug: 'gone', reason: 'keyCompromise' });
        await audit(other);
        const index = await injectBatch(other, 'gone', await other.sign(gone, { createdAt: new Date(Date.now() - 60_000).toISOString(), indicators: sampleIndicators(1, 'forged') }));
        await assert.rejects(audit(other), (err: unknown) => err instanceof AuditError && err.code === 'BATCH_AFTER_REVOCATION' && err.details?.['index'] === index);
      } finally {
        await other.close();
      }
    });

    it('with read access, from the batch’s own certificate, when the member still has another', async () => {
      const other = await startTestFederation();
      try {
        const first = await other.addMember('rotor');
        await other.addMember('rotor');
        const serial = (await other.hub.services.members.get('rotor'))!.certificates[0]!.serial;
        await other.hub.services.members.revoke({ slug: 'rotor', serial, reason: 'keyCompromise' });
        const token = await other.token('provenance:read', { agency: 'oversight', tlp: 'RED' });
        const index = await injectBatch(other, 'rotor', await other.sign(first, { batchId: randomUUID(), createdAt: new Date(Date.now() - 60_000).toISOString(), indicators: sampleIndicators(1, 'forged') }));
        await audit(other);
        await assert.rejects(audit(other, token), (err: unknown) => err instanceof AuditError && err.code === 'BATCH_AFTER_REVOCATION' && err.details?.['serial'] === serial && err.details?.['index'] === index);
      } finally {
        await other.close();
      }
    });
  });
});
