import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { systemRandom } from '../kernel/index.js';
import { nodeMigrations } from '../../migrations/node/index.js';
import { NodeError } from './errors.js';
import { assertVaultKey, createVault, loadOrCreateVaultKey, revealPseudonym, storePseudonyms } from './vault.js';

const fp = (c: string): string => `fp1.2026-01.${c.repeat(43)}`;
const isCode = (code: string) => (err: unknown): boolean => err instanceof NodeError && err.code === code;

describe('pseudonym vault', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrations: nodeMigrations });
  });
  after(() => t.drop());

  const vault = createVault(new Uint8Array(32).fill(1), systemRandom);

  it('keeps the raw value only as AES-GCM ciphertext, and gives it back', async () => {
    const raw = '+86 138 0013 8000';
    await storePseudonyms(t.database.dataSource, [vault.seal(fp('A'), '2026-01', { kind: 'phone', value: raw })], new Date('2026-03-01T00:00:00Z'));
    const rows: Array<{ ciphertext: Uint8Array; nonce: Uint8Array }> = await t.database.dataSource.query(`SELECT ciphertext, nonce FROM node_pseudonyms`);
    assert.equal(rows.length, 1);
    assert.ok(!Buffer.from(rows[0]!.ciphertext).toString('latin1').includes('138'), 'no plaintext at rest');
    assert.equal(rows[0]!.nonce.length, 12);
    assert.deepEqual(await revealPseudonym(t.database.dataSource, vault, fp('A')), { kind: 'phone', value: raw });
    assert.equal(await revealPseudonym(t.database.dataSource, vault, fp('B')), undefined);
  });

  it('keeps the first spelling and refreshes last_seen_at when a seller is seen again', async () => {
    await storePseudonyms(t.database.dataSource, [vault.seal(fp('A'), '2026-01', { kind: 'phone', value: '13800138000' })], new Date('2026-04-01T00:00:00Z'));
    const [row]: Array<{ first_seen_at: Date; last_seen_at: Date }> = await t.database.dataSource.query(`SELECT first_seen_at, last_seen_at FROM node_pseudonyms WHERE fingerprint = $1`, [fp('A')]);
    assert.equal(new Date(row!.first_seen_at).toISOString(), '2026-03-01T00:00:00.000Z');
    assert.equal(new Date(row!.last_seen_at).toISOString(), '2026-04-01T00:00:00.000Z');
    assert.equal((await revealPseudonym(t.database.dataSource, vault, fp('A')))?.value, '+86 138 0013 8000');
  });

  it('keeps the span of observation times: an earlier observation arriving later moves first seen back', async () => {
    const seal = () => vault.seal(fp('F'), '2026-01', { kind: 'phone', value: '+86 139 0000 0002' });
    await storePseudonyms(t.database.dataSource, [seal(), seal()], [new Date('2026-06-10T00:00:00Z'), new Date('2026-06-12T00:00:00Z')]);
    await storePseudonyms(t.database.dataSource, [seal()], [new Date('2026-06-01T00:00:00Z')]);
    const [row]: Array<{ first_seen_at: Date; last_seen_at: Date }> = await t.database.dataSource.query(`SELECT first_seen_at, last_seen_at FROM node_pseudonyms WHERE fingerprint = $1`, [fp('F')]);
    assert.deepEqual([new Date(row!.first_seen_at).toISOString(), new Date(row!.last_seen_at).toISOString()], ['2026-06-01T00:00:00.000Z', '2026-06-12T00:00:00.000Z']);
  });

  it('takes the same seller twice in one batch of records (one request naming it twice), keeping the first spelling', async () => {
    const twice = [vault.seal(fp('E'), '2026-01', { kind: 'phone', value: '+86 139 0000 0001' }), vault.seal(fp('E'), '2026-01', { kind: 'phone', value: '13900000001' })];
    await storePseudonyms(t.database.dataSource, twice, new Date('2026-05-01T00:00:00Z'));
    assert.equal((await revealPseudonym(t.database.dataSource, vault, fp('E')))?.value, '+86 139 0000 0001');
  });

  it('refuses a record moved to another fingerprint, or opened with another key', () => {
    const sealed = vault.seal(fp('C'), '2026-01', { kind: 'email', value: 'a@b.example' });
    assert.throws(() => vault.open({ ...sealed, fingerprint: fp('D') }), isCode('VAULT_CORRUPT'));
    assert.throws(() => createVault(new Uint8Array(32).fill(2), systemRandom).open(sealed), isCode('VAULT_CORRUPT'));
  });

  it('binds the database to its key: another key file fails at start', async () => {
    await assertVaultKey(t.database.dataSource, vault);
    await assertVaultKey(t.database.dataSource, vault);
    await assert.rejects(assertVaultKey(t.database.dataSource, createVault(new Uint8Array(32).fill(3), systemRandom)), isCode('VAULT_KEY_MISMATCH'));
  });

  describe('the vault key file', () => {
    it('is created with mode 0600 on first start and read back after', async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'wildintel-vault-')), 'vault.key');
      const first = await loadOrCreateVaultKey(file, systemRandom);
      assert.equal(first.created, true);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const again = await loadOrCreateVaultKey(file, systemRandom);
      assert.deepEqual([again.created, Buffer.from(again.key).toString('hex')], [false, Buffer.from(first.key).toString('hex')]);
      assert.equal(readFileSync(file, 'utf8').trim().length, 44);
    });

    it('refuses a file that is not base64 of 32 bytes', async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'wildintel-vault-')), 'vault.key');
      writeFileSync(file, 'short\n');
      await assert.rejects(loadOrCreateVaultKey(file, systemRandom), isCode('NODE_MISCONFIGURED'));
    });
  });
});
