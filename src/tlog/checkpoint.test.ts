import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MemoryHashStore,
  TlogError,
  formatCheckpoint,
  generateSignerKey,
  leafHash,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  inclusionProofSync,
  verifyInclusion,
} from './index.js';
import type { TlogErrorCode } from './index.js';
import { b64, readVectorBytes, readVectorJson, skipWithoutVectors, toB64 } from './test-vectors.js';

function throwsCode(fn: () => unknown, code: TlogErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof TlogError && err.code === code, `expected ${code}`);
}

const fixedRandom = (byte: number): { bytes: (n: number) => Uint8Array } => ({ bytes: (n) => new Uint8Array(n).fill(byte) });

const ORIGIN = 'hub.wildintel.example/log';
const hub = generateSignerKey(ORIGIN, fixedRandom(7));
const other = generateSignerKey(ORIGIN, fixedRandom(8));
const root = new Uint8Array(32).fill(0xab);

describe('checkpoint body', () => {
  it('formats the exact C2SP bytes', () => {
    assert.equal(formatCheckpoint({ origin: ORIGIN, size: 6, root }), `${ORIGIN}\n6\n${toB64(root)}\n`);
    assert.equal(formatCheckpoint({ origin: ORIGIN, size: 0, root, extensions: ['ext a'] }), `${ORIGIN}\n0\n${toB64(root)}\next a\n`);
  });

  it('parses what it formats, extension lines included', () => {
    const parsed = parseCheckpoint(`${ORIGIN}\n9007199254740991\n${toB64(root)}\nx\ny z\n`);
    assert.equal(parsed.origin, ORIGIN);
    assert.equal(parsed.size, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(Buffer.from(parsed.root), Buffer.from(root));
    assert.deepEqual(parsed.extensions, ['x', 'y z']);
  });

  it('refuses anything not canonical', () => {
    const r = toB64(root);
    const nonCanonicalRoot = `${r.slice(0, -2)}9=`; // the last base64 digit carries unused low bits
    for (const bad of [
      `${ORIGIN}\n6\n${r}`,
      `${ORIGIN}\n6\n`,
      `${ORIGIN}\n6\n${r}\n\n`,
      `${ORIGIN}\n6\n${r}\n\nx\n`,
      `\n6\n${r}\n`,
      `${ORIGIN}\n06\n${r}\n`,
      `${ORIGIN}\n+6\n${r}\n`,
      `${ORIGIN}\n-1\n${r}\n`,
      `${ORIGIN}\n 6\n${r}\n`,
      `${ORIGIN}\n6.0\n${r}\n`,
      `${ORIGIN}\n9007199254740992\n${r}\n`,
      `${ORIGIN}\n18446744073709551615\n${r}\n`,
      `${ORIGIN}\n6\n${toB64(new Uint8Array(31))}\n`,
      `${ORIGIN}\n6\n${r.slice(0, -1)}\n`,
      `${ORIGIN}\n6\n${nonCanonicalRoot}\n`,
      `${ORIGIN}\n6\n${Buffer.from(root).toString('base64url')}\n`,
      `${ORIGIN}\r\n6\n${r}\n`,
    ]) {
      throwsCode(() => parseCheckpoint(bad), 'MALFORMED_CHECKPOINT');
    }
  });

  it('refuses to format what it could not parse', () => {
    throwsCode(() => formatCheckpoint({ origin: '', size: 1, root }), 'MALFORMED_CHECKPOINT');
    throwsCode(() => formatCheckpoint({ origin: 'a\nb', size: 1, root }), 'MALFORMED_CHECKPOINT');
    throwsCode(() => formatCheckpoint({ origin: ORIGIN, size: -1, root }), 'MALFORMED_CHECKPOINT');
    throwsCode(() => formatCheckpoint({ origin: ORIGIN, size: 2 ** 53, root }), 'MALFORMED_CHECKPOINT');
    throwsCode(() => formatCheckpoint({ origin: ORIGIN, size: 1, root: new Uint8Array(12) }), 'MALFORMED_CHECKPOINT');
    throwsCode(() => formatCheckpoint({ origin: ORIGIN, size: 1, root, extensions: [''] }), 'MALFORMED_CHECKPOINT');
  });
});

describe('signed checkpoints', () => {
  const signer = parseSignerKey(hub.signerKey);

  it('verify under the log key and give back origin, size and root', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 42, root }, signer);
    const opened = openCheckpoint(note, hub.verifierKey, ORIGIN);
    assert.equal(opened.origin, ORIGIN);
    assert.equal(opened.size, 42);
    assert.deepEqual(Buffer.from(opened.root), Buffer.from(root));
    assert.deepEqual(openCheckpoint(Buffer.from(note), parseVerifierKey(hub.verifierKey)).size, 42);
  });

  it('fail under another key, even one with the same name', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 42, root }, signer);
    throwsCode(() => openCheckpoint(note, other.verifierKey), 'UNVERIFIED_NOTE');
  });

  it('fail when any byte of the body changes', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 42, root }, signer);
    throwsCode(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), hub.verifierKey), 'BAD_NOTE_SIGNATURE');
  });

  it('fail for another origin than expected', () => {
    const note = signCheckpoint({ origin: 'elsewhere.example/log', size: 1, root }, signer);
    throwsCode(() => openCheckpoint(note, hub.verifierKey, ORIGIN), 'ORIGIN_MISMATCH');
  });

  it('fail when a validly signed note is not a checkpoint', () => {
    const note = signNote(`${ORIGIN}\n01\n${toB64(root)}\n`, [signer]);
    throwsCode(() => openCheckpoint(note, hub.verifierKey), 'MALFORMED_CHECKPOINT');
  });

  it('carry the size and root that inclusion proofs verify against', () => {
    const store = new MemoryHashStore();
    store.append(['a', 'b', 'c'].map((e) => leafHash(Buffer.from(e))));
    const opened = openCheckpoint(signCheckpoint({ origin: ORIGIN, size: store.size, root: store.treeHash() }, signer), hub.verifierKey);
    verifyInclusion(1, opened.size, leafHash(Buffer.from('b')), inclusionProofSync(1, opened.size, store.read), opened.root);
  });

  it('refuse a cosigner (type 0x04) key as the log key', { skip: skipWithoutVectors }, () => {
    const { cases } = readVectorJson<{ cases: { checkpoint: string; cosigner_vkey: string }[] }>('notes/cosigned-checkpoints.json');
    const c = cases[0];
    assert.ok(c !== undefined);
    throwsCode(() => openCheckpoint(c.checkpoint, c.cosigner_vkey), 'MALFORMED_KEY');
  });
});

describe('checkpoints from other implementations', { skip: skipWithoutVectors }, () => {
  interface Others {
    checkpoints: { what: string; note: string; vkey: string; origin: string; size: number }[];
  }

  it('verify the production sum.golang.org checkpoint and the sigsum-go one', () => {
    const { checkpoints } = readVectorJson<Others>('notes/checkpoints-other-implementations.json');
    assert.equal(checkpoints.length, 2);
    for (const c of checkpoints) {
      const opened = openCheckpoint(c.note, c.vkey, c.origin);
      assert.equal(opened.origin, c.origin, c.what);
      assert.equal(opened.size, c.size, c.what);
      assert.equal(toB64(opened.root), c.note.split('\n')[2]);
    }
    const sumdb = checkpoints[0];
    assert.ok(sumdb !== undefined);
    assert.equal(toB64(openCheckpoint(sumdb.note, sumdb.vkey).root), 'mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=');
    throwsCode(() => openCheckpoint(sumdb.note, sumdb.vkey, 'sum.golang.org'), 'ORIGIN_MISMATCH');
    throwsCode(() => openCheckpoint(sumdb.note, hub.verifierKey), 'UNVERIFIED_NOTE');
  });

  it('verify the Go sumdb test tree note', () => {
    const { keys, cases } = readVectorJson<{ keys: Record<string, string>; cases: { note?: string; why: string }[] }>(
      'notes/signed-notes.json',
    );
    const tree = cases.find((c) => c.why.startsWith('Go sumdb tree note'));
    assert.ok(tree?.note !== undefined);
    const opened = openCheckpoint(tree.note, keys['sumdb_vkey'] as string, 'go.sum database tree');
    assert.equal(opened.size, 6);
    assert.deepEqual(Buffer.from(opened.root), b64('wc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM='));
  });

  it('verify the Sunlight witness cosignature on the 300-leaf tile checkpoint', () => {
    const note = readVectorBytes('tiles/sunlight-mirror-300/checkpoint');
    const cosigner = readVectorBytes('tiles/sunlight-mirror-300/cosigner.vkey').toString('utf8').trim();
    const opened = openNote(note, [parseVerifierKey(cosigner)]);
    assert.equal(parseCheckpoint(opened.text).size, 300);
  });
});

describe('cosigned checkpoints', { skip: skipWithoutVectors }, () => {
  interface Cosigned {
    cases: { checkpoint: string; cosigner_vkey: string; timestamp: number }[];
  }

  it('open under our Ed25519 (0x01) key with foreign cosignature lines (0x04, 0x05) appended and ignored', () => {
    const signer = parseSignerKey(hub.signerKey);
    const foreign = readVectorJson<Cosigned>('notes/cosigned-checkpoints.json')
      .cases.flatMap((c) => c.checkpoint.split('\n'))
      .filter((line) => line.startsWith('\u2014 '))
      .map((line) => `${line}\n`);
    assert.equal(foreign.length, 4);
    const note = signCheckpoint({ origin: ORIGIN, size: 300, root }, signer) + foreign.join('');
    assert.equal(openCheckpoint(note, hub.verifierKey, ORIGIN).size, 300);
    const opened = openNote(note, [parseVerifierKey(hub.verifierKey)]);
    assert.equal(opened.sigs.length, 1);
    assert.equal(opened.unverifiedSigs.length, 4);
  });

  it('verify each witness cosignature with its timestamp; the log lines are unknown keys', () => {
    for (const c of readVectorJson<Cosigned>('notes/cosigned-checkpoints.json').cases) {
      const opened = openNote(c.checkpoint, [parseVerifierKey(c.cosigner_vkey)]);
      assert.equal(opened.sigs[0]?.timestamp, c.timestamp);
      assert.equal(parseCheckpoint(opened.text).size, 300);
    }
  });
});
