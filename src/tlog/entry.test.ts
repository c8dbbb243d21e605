import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { MAX_ENTRY_BYTES, TlogError, encodeEntry, leafHash, parseEntry } from './index.js';
import type { LogEntry } from './index.js';
import { VECTORS_DIR, skipWithoutVectors } from './test-vectors.js';
import { canonicalTextOf } from './entry.js';

function throwsMalformed(fn: () => unknown, field?: string): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof TlogError && err.code === 'MALFORMED_ENTRY' && (field === undefined || err.details?.['field'] === field),
    `expected MALFORMED_ENTRY${field === undefined ? '' : ` on ${field}`}`,
  );
}

const SHA = 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg'; // base64url(SHA-256("test"))
const CERT = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]).toString('base64'); // a DER SEQUENCE { INTEGER 5 }
const TS = 1767225600000;

const samples: { readonly [K in LogEntry['kind']]: Extract<LogEntry, { kind: K }> } = {
  batch: { kind: 'batch', ts: TS, member: 'shopmart', batchId: '0b0c6ad8-9f5f-4b8e-8a53-6f8e2f6d2d1c', tlp: 'AMBER', count: 12, jwsSha256: SHA },
  member: { kind: 'member', ts: TS, member: 'shopmart', cert: CERT },
  revocation: { kind: 'revocation', ts: TS, member: 'shopmart', serial: '8f3a11', reason: 'keyCompromise' },
  token: { kind: 'token', ts: TS, jti: '6f1c0b0e-2d9a-4b7b-9a57-0d3c7f1a2b3c', agency: 'kenya-wildlife-service', scope: 'indicators:read sellers:read', exp: 1767312000 },
  opinion: { kind: 'opinion', ts: TS, by: 'agency:kenya-wildlife-service', recordSha256: SHA },
  access: { kind: 'access', ts: TS, agency: 'kenya-wildlife-service', hour: 1767222000000, count: 31, digestSha256: SHA },
  agency: { kind: 'agency', ts: TS, agency: 'kenya-wildlife-service', keysSha256: SHA },
  disclosure: { kind: 'disclosure', ts: TS, step: 'answered', requestId: '3e1f9a52-7c1d-4c8e-9b0e-2a4f6d8c0b1e', recordSha256: SHA },
  warninglist: { kind: 'warninglist', ts: TS, name: 'wildintel-benign-phrases', version: 2, listSha256: SHA },
  quarantine: { kind: 'quarantine', ts: TS, indicatorId: SHA, action: 'hold', source: 'member:shopmart' },
  referral: { kind: 'referral', ts: TS, step: 'closed', referralId: '5b2e0c1a-8d3f-4e6a-9c7b-1f0e2d3c4b5a', agency: 'customs', by: 'agency:customs', recordSha256: SHA, result: 'SEIZURE' },
};

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytes = (json: string): Uint8Array => Buffer.from(json, 'utf8');
/** The wire object of a sample, with edits applied, as canonical bytes. */
function wire(kind: LogEntry['kind'], edit: Record<string, unknown> = {}, drop: string[] = []): Uint8Array {
  const object: Record<string, unknown> = { ...samples[kind], v: 1, ...edit };
  for (const key of drop) delete object[key];
  return bytes(canonicalize(object) as string);
}

describe('encodeEntry', () => {
  it('writes the JCS bytes of {"v":1,"kind",…}: keys sorted, no spaces', () => {
    assert.equal(
      text(encodeEntry(samples.batch)),
      `{"batchId":"0b0c6ad8-9f5f-4b8e-8a53-6f8e2f6d2d1c","count":12,"jwsSha256":"${SHA}","kind":"batch","member":"shopmart","tlp":"AMBER","ts":${TS},"v":1}`,
    );
    assert.equal(text(encodeEntry(samples.opinion)), `{"by":"agency:kenya-wildlife-service","kind":"opinion","recordSha256":"${SHA}","ts":${TS},"v":1}`);
  });

  it('round-trips every kind through parseEntry', () => {
    for (const entry of Object.values(samples)) {
      const encoded = encodeEntry(entry);
      assert.deepEqual(parseEntry(encoded), entry, entry.kind);
      assert.equal(leafHash(encoded).length, 32);
    }
  });

  it('refuses to encode an entry that auditors would refuse', () => {
    throwsMalformed(() => encodeEntry({ ...samples.batch, count: -1 }), 'count');
    throwsMalformed(() => encodeEntry({ ...samples.opinion, extra: true } as unknown as LogEntry), 'extra');
    throwsMalformed(() => encodeEntry({ ...samples.member, member: 'Shop Mart' }), 'member');
    throwsMalformed(() => encodeEntry({ kind: 'unknown', ts: TS } as unknown as LogEntry), 'kind');
  });
});

describe('referral entries', () => {
  it('writes exactly the shape the transparency report reads: step, referralId, agency, by, recordSha256 (base64url, as every kind), result on closed', () => {
    assert.equal(
      text(encodeEntry(samples.referral)),
      `{"agency":"customs","by":"agency:customs","kind":"referral","recordSha256":"${SHA}","referralId":"5b2e0c1a-8d3f-4e6a-9c7b-1f0e2d3c4b5a","result":"SEIZURE","step":"closed","ts":${TS},"v":1}`,
    );
    const filed = { kind: 'referral', ts: TS, step: 'filed', referralId: '5b2e0c1a-8d3f-4e6a-9c7b-1f0e2d3c4b5a', agency: 'customs', by: 'member:shopmart', recordSha256: SHA } as const;
    assert.deepEqual(parseEntry(encodeEntry(filed)), filed);
  });

  it('refuses a result on any step but closed, a closed entry without one, hex or non-canonical hashes and unknown steps or results', () => {
    throwsMalformed(() => parseEntry(wire('referral', { step: 'accepted' })), 'result');
    throwsMalformed(() => parseEntry(wire('referral', {}, ['result'])), 'result');
    throwsMalformed(() => parseEntry(wire('referral', { recordSha256: Buffer.from(SHA, 'base64url').toString('hex') })), 'recordSha256');
    throwsMalformed(() => parseEntry(wire('referral', { recordSha256: `${SHA.slice(0, 42)}B` })), 'recordSha256');
    throwsMalformed(() => parseEntry(wire('referral', { step: 'routed' })), 'step');
    throwsMalformed(() => parseEntry(wire('referral', { result: 'ARREST' })), 'result');
    throwsMalformed(() => parseEntry(wire('referral', { by: 'hub' })), 'by');
  });
});

describe('parseEntry', () => {
  it('accepts the canonical bytes of each kind', () => {
    for (const kind of Object.keys(samples) as LogEntry['kind'][]) assert.equal(parseEntry(wire(kind)).kind, kind);
  });

  it('refuses bytes that are not the canonical encoding', () => {
    const canonical = text(wire('opinion'));
    for (const variant of [
      canonical.replace(',', ', '),
      `${canonical}\n`,
      ` ${canonical}`,
      canonical.replace(`"ts":${TS}`, `"ts":${TS}.0`),
      canonical.replace(`"ts":${TS}`, `"ts":1.7672256e12`),
      canonical.replace('"v":1', '"v":1,"v":1'),
      canonical.replace('{"by"', `{"kind":"opinion","by"`),
      canonical.replace('"by":"agency:', '"by":"agency\\u003a'),
      `{"v":1,${canonical.slice(1).replace(',"v":1', '')}`,
      `\ufeff${canonical}`,
    ]) {
      throwsMalformed(() => parseEntry(bytes(variant)));
    }
  });

  it('checks canonical form without a general canonicalizer, and agrees with canonicalize on every value it may meet', () => {
    // parseEntry compares the entry's text with canonicalTextOf of what it parsed; for the flat
    // string-and-integer objects entries are, that must be RFC 8785 exactly, whatever the strings hold.
    // canonicalize refuses a lone surrogate (no UTF-8 encodes it): no canonical form, undefined.
    const jcs = (value: unknown): string | undefined => {
      try {
        return canonicalize(value);
      } catch {
        return undefined;
      }
    };
    const strings = ['', 'a', 'shop mart', 'é', '\u00e9', '"', '\\', '/', '\u0000', '\u001f', '\u007f', '\u2028', '\ud83d\udc18', '\ud800', '\udfff', 'a\nb', '\t', '<>&\'', '\uffff', '象牙'];
    const numbers = [0, 1, 9, 10, 1e15, Number.MAX_SAFE_INTEGER, TS];
    const keys = ['v', 'kind', 'ts', 'a', 'B', 'é', '\u0000', 'aa', 'a\u0000', '10', '9', '€', '\ud83d\udc18', '\ufb33'];
    let checked = 0;
    for (let i = 0; i < 400; i++) {
      const object: Record<string, unknown> = {};
      for (let k = 0; k < 1 + (i % 6); k++) {
        const key = keys[(i * 7 + k * 3) % keys.length]!;
        object[key] = (i + k) % 3 === 0 ? numbers[(i + k) % numbers.length] : strings[(i * 5 + k) % strings.length];
      }
      assert.equal(canonicalTextOf(object), jcs(object), JSON.stringify(object));
      checked++;
    }
    // Values an entry never holds take the general path and still come out canonical.
    for (const odd of [{ a: 1.5 }, { a: -0 }, { a: 1e21 }, { a: true, b: null }, { a: [2, 1], b: { d: 1, c: 2 } }, { a: ['\ud800'] }]) assert.equal(canonicalTextOf(odd), jcs(odd));
    assert.equal(checked, 400);
  });

  it('takes a SHA-256 field exactly when it is canonical base64url of 32 bytes, whatever its last character', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const last of alphabet) {
      const digest = `${SHA.slice(0, 42)}${last}`;
      const decoded = Buffer.from(digest, 'base64url');
      const canonical = decoded.length === 32 && decoded.toString('base64url') === digest;
      if (canonical) assert.equal(parseEntry(wire('opinion', { recordSha256: digest })).kind, 'opinion', digest);
      else throwsMalformed(() => parseEntry(wire('opinion', { recordSha256: digest })), 'recordSha256');
    }
    throwsMalformed(() => parseEntry(wire('opinion', { recordSha256: `${SHA}A` })), 'recordSha256');
    throwsMalformed(() => parseEntry(wire('opinion', { recordSha256: SHA.slice(1) })), 'recordSha256');
  });

  it('refuses what is not a JSON object in UTF-8', () => {
    for (const bad of [bytes('[]'), bytes('null'), bytes('"x"'), bytes('{'), bytes(''), Uint8Array.of(0x7b, 0xff, 0x7d)]) throwsMalformed(() => parseEntry(bad));
    throwsMalformed(() => parseEntry(new Uint8Array(MAX_ENTRY_BYTES + 1)));
  });

  it('refuses an unknown version or kind, extra fields and missing fields', () => {
    throwsMalformed(() => parseEntry(wire('batch', { v: 2 })), 'v');
    throwsMalformed(() => parseEntry(wire('batch', {}, ['v'])), 'v');
    throwsMalformed(() => parseEntry(wire('batch', { kind: 'batches' })), 'kind');
    throwsMalformed(() => parseEntry(wire('batch', { indicators: [] })), 'indicators');
    throwsMalformed(() => parseEntry(wire('batch', { jws: 'eyJ…' })), 'jws');
    throwsMalformed(() => parseEntry(wire('opinion', { member: 'shopmart' })), 'member');
    throwsMalformed(() => parseEntry(bytes(`{"__proto__":{},"by":"member:shopmart","kind":"opinion","recordSha256":"${SHA}","ts":1,"v":1}`)), '__proto__');
    for (const kind of Object.keys(samples) as LogEntry['kind'][]) {
      for (const field of Object.keys(samples[kind]).filter((f) => f !== 'kind')) throwsMalformed(() => parseEntry(wire(kind, {}, [field])), field);
    }
  });

  it('checks each field’s form', () => {
    const cases: [LogEntry['kind'], string, unknown][] = [
      ['batch', 'ts', -1],
      ['batch', 'ts', 1.5],
      ['batch', 'ts', '1767225600000'],
      ['batch', 'ts', 2 ** 53],
      ['batch', 'member', 'a'],
      ['batch', 'member', '-shop'],
      ['batch', 'member', 'ShopMart'],
      ['batch', 'member', 'x'.repeat(64)],
      ['batch', 'batchId', '0B0C6AD8-9F5F-4B8E-8A53-6F8E2F6D2D1C'],
      ['batch', 'batchId', '0b0c6ad89f5f4b8e8a536f8e2f6d2d1c'],
      ['batch', 'tlp', 'amber'],
      ['batch', 'tlp', 'WHITE'],
      ['batch', 'count', -1],
      ['batch', 'count', '12'],
      ['batch', 'jwsSha256', `${SHA}=`],
      ['batch', 'jwsSha256', SHA.slice(1)],
      ['batch', 'jwsSha256', `${SHA.slice(0, -1)}h`],
      ['batch', 'jwsSha256', Buffer.from(SHA, 'base64url').toString('base64')],
      ['member', 'cert', 'MIIB'],
      ['member', 'cert', Buffer.from([0x30, 0x04, 0x02, 0x01, 0x05]).toString('base64')],
      ['member', 'cert', Buffer.from([0x31, 0x03, 0x02, 0x01, 0x05]).toString('base64')],
      ['member', 'cert', Buffer.from([0x30, 0x81, 0x03, 0x02, 0x01, 0x05]).toString('base64')],
      ['member', 'cert', CERT.replace(/=*$/, '')],
      ['revocation', 'serial', '008f3a11'],
      ['revocation', 'serial', '8F3A11'],
      ['revocation', 'serial', 'f3a11'],
      ['revocation', 'serial', 'ab'.repeat(21)],
      ['revocation', 'reason', 'stolen laptop'],
      ['token', 'jti', ''],
      ['token', 'jti', 'a b'],
      ['token', 'agency', 'Kenya Wildlife Service'],
      ['token', 'scope', ''],
      ['token', 'scope', 'indicators:read  sellers:read'],
      ['token', 'scope', 'indicators:read indicators:read'],
      ['token', 'scope', 'indicators:write'],
      ['token', 'exp', -5],
      ['token', 'tlp', 'amber'],
      ['token', 'commodities', ''],
      ['token', 'commodities', 'IVORY IVORY'],
      ['token', 'commodities', 'ivory'],
      ['token', 'action', 'issue'],
      ['opinion', 'by', 'shopmart'],
      ['opinion', 'by', 'platform:shopmart'],
      ['opinion', 'by', 'member:'],
      ['access', 'hour', TS + 1],
      ['access', 'count', 0.5],
      ['access', 'digestSha256', 'not-a-hash'],
      ['agency', 'agency', 'Customs'],
      ['agency', 'keysSha256', SHA.slice(2)],
      ['disclosure', 'step', 'approved'],
      ['disclosure', 'requestId', 'case-42'],
      ['disclosure', 'recordSha256', `${SHA}=`],
    ];
    for (const [kind, field, value] of cases) throwsMalformed(() => parseEntry(wire(kind, { [field]: value })), field);
  });

  it('accepts the boundaries of each form', () => {
    assert.equal(parseEntry(wire('revocation', { serial: '00' })).kind, 'revocation');
    assert.equal(parseEntry(wire('batch', { count: 0, ts: 0, member: 'ab' })).kind, 'batch');
    assert.equal(parseEntry(wire('token', { scope: 'admin audit:read provenance:read stats:read match:text match:image sellers:read indicators:read' })).kind, 'token');
    assert.equal(parseEntry(wire('opinion', { by: 'member:shopmart' })).kind, 'opinion');
    assert.equal(parseEntry(wire('token', { scope: 'disclosure:request sellers:read' })).kind, 'token');
    for (const step of ['filed', 'routed', 'delivered', 'answered', 'declined', 'retrieved']) assert.equal(parseEntry(wire('disclosure', { step })).kind, 'disclosure');
  });

  it('reads token entries with TLP, commodities and a revocation marker, and those logged before them', () => {
    const full = { tlp: 'AMBER', commodities: 'IVORY PANGOLIN', action: 'revoke' };
    assert.deepEqual(parseEntry(wire('token', full)), { ...samples.token, ...full });
    assert.deepEqual(parseEntry(wire('token', { tlp: 'RED' })), { ...samples.token, tlp: 'RED' });
    assert.deepEqual(parseEntry(wire('token')), samples.token, 'an entry from before tlp was added');
    throwsMalformed(() => parseEntry(wire('batch', { action: 'revoke' })), 'action');
  });
});

describe('RFC 8785 vectors for the canonicalize package', { skip: skipWithoutVectors }, () => {
  it('produces the expected canonical bytes for every input', () => {
    const inputDir = new URL('jcs/input/', VECTORS_DIR);
    const names = readdirSync(inputDir).filter((n) => n.endsWith('.json'));
    assert.equal(names.length, 6);
    for (const name of names) {
      const input: unknown = JSON.parse(readFileSync(new URL(name, inputDir), 'utf8'));
      const expected = readFileSync(new URL(`jcs/output/${name}`, VECTORS_DIR), 'utf8');
      assert.equal(canonicalize(input), expected, name);
    }
  });
});
