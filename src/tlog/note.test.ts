import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NOTE_SIGNATURES, TlogError, generateSignerKey, isValidKeyName, openNote, parseSignerKey, parseVerifierKey, signNote } from './index.js';
import type { TlogErrorCode } from './index.js';
import { b64, readVectorJson, skipWithoutVectors } from './test-vectors.js';

function throwsCode(fn: () => unknown, code: TlogErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof TlogError && err.code === code, `expected ${code}`);
}

/** A deterministic seed source for key generation in tests. */
const fixedRandom = (byte: number): { bytes: (n: number) => Uint8Array } => ({ bytes: (n) => new Uint8Array(n).fill(byte) });

interface NoteCase {
  note?: string;
  note_b64?: string;
  vkeys: string[];
  expect: 'ok' | 'NOTE_MALFORMED' | 'NOTE_BAD_SIGNATURE' | 'NOTE_UNVERIFIED';
  verified?: string[];
  unverified?: string[];
  why: string;
}

interface SignedNotes {
  keys: Record<string, string>;
  bad_vkeys: { vkey: string; why: string }[];
  signing: { skey: string; text: string; want: string };
  cases: NoteCase[];
}

const EXPECTED_CODE: Record<Exclude<NoteCase['expect'], 'ok'>, TlogErrorCode> = {
  NOTE_MALFORMED: 'MALFORMED_NOTE',
  NOTE_BAD_SIGNATURE: 'BAD_NOTE_SIGNATURE',
  NOTE_UNVERIFIED: 'UNVERIFIED_NOTE',
};

describe('signed-note vectors (Go sumdb/note, C2SP)', { skip: skipWithoutVectors }, () => {
  const load = (): SignedNotes => readVectorJson<SignedNotes>('notes/signed-notes.json');

  it('parses every published verifier key, including base64 that contains +', () => {
    const { keys } = load();
    for (const [label, vkey] of Object.entries(keys)) {
      if (label.endsWith('_skey')) continue;
      const v = parseVerifierKey(vkey);
      assert.equal(v.verifierKey, vkey);
      assert.equal(v.type, 'ed25519');
      assert.equal(v.name, vkey.slice(0, vkey.indexOf('+')), label);
      assert.equal(v.keyId.toString(16).padStart(8, '0'), vkey.split('+')[1], label);
    }
    assert.equal(parseVerifierKey(keys['sumdb_vkey'] as string).name, 'localhost.localdev/sumdb');
  });

  it('refuses the bad verifier keys', () => {
    for (const { vkey } of load().bad_vkeys) throwsCode(() => parseVerifierKey(vkey), 'MALFORMED_KEY');
  });

  it('signs exactly like Go with Go’s test private key', () => {
    const { signing, keys } = load();
    const signer = parseSignerKey(signing.skey);
    assert.equal(signer.verifierKey, keys['peter_vkey']);
    assert.equal(signNote(signing.text, [signer]), signing.want);
    assert.equal(parseSignerKey(keys['sumdb_skey'] as string).verifierKey, keys['sumdb_vkey']);
  });

  it('opens or refuses each of the 16 notes as published', () => {
    const { cases } = load();
    assert.equal(cases.length, 16);
    for (const c of cases) {
      const input = c.note_b64 === undefined ? (c.note as string) : b64(c.note_b64);
      const verifiers = c.vkeys.map(parseVerifierKey);
      if (c.expect === 'ok') {
        const note = openNote(input, verifiers);
        assert.deepEqual(note.sigs.map((s) => s.name), c.verified, c.why);
        if (c.unverified !== undefined) assert.deepEqual(note.unverifiedSigs.map((s) => s.name), c.unverified, c.why);
      } else {
        throwsCode(() => openNote(input, verifiers), EXPECTED_CODE[c.expect]);
      }
    }
  });

  it('gives the text without the blank line, and keeps the signature lines verbatim', () => {
    const { signing } = load();
    const note = openNote(signing.want, [parseVerifierKey(load().keys['peter_vkey'] as string)]);
    assert.equal(note.text, signing.text);
    assert.equal(note.sigs[0]?.base64, 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=');
    assert.equal(note.sigs[0]?.keyId, 0xc74f20a3);
  });
});

describe('tlog-cosignature/v1 (type 0x04) lines', { skip: skipWithoutVectors }, () => {
  interface Cosigned {
    cases: { checkpoint: string; cosigner_vkey: string; timestamp: number }[];
  }
  interface Sigsum {
    cosignature: { body: string; vkey: string; lines: string[]; timestamp: number; name: string };
  }

  it('verify Sunlight witness cosignatures, ignoring the 0x05 log signature as an unknown key', () => {
    for (const c of readVectorJson<Cosigned>('notes/cosigned-checkpoints.json').cases) {
      const cosigner = parseVerifierKey(c.cosigner_vkey);
      assert.equal(cosigner.type, 'cosignature/v1');
      const note = openNote(c.checkpoint, [cosigner]);
      assert.deepEqual(note.sigs.map((s) => [s.name, s.timestamp]), [[cosigner.name, c.timestamp]]);
      const others = c.checkpoint.split('\n').filter((l) => l.startsWith('\u2014 ') && !l.startsWith(`\u2014 ${cosigner.name} `));
      assert.equal(note.unverifiedSigs.length, others.length);
    }
  });

  it('refuse a cosignature over another body', () => {
    const [first, second] = readVectorJson<Cosigned>('notes/cosigned-checkpoints.json').cases;
    assert.ok(first !== undefined && second !== undefined);
    const witnessLine = first.checkpoint.split('\n').find((l) => l.startsWith('\u2014 witness.example.org '));
    const forged = `${second.checkpoint.split('\n\n')[0]}\n\n${witnessLine}\n`;
    throwsCode(() => openNote(forged, [parseVerifierKey(first.cosigner_vkey)]), 'BAD_NOTE_SIGNATURE');
  });

  it('verify the sigsum-go cosignature and ignore its line with a wrong key ID', () => {
    const { cosignature: c } = readVectorJson<Sigsum>('notes/checkpoints-other-implementations.json');
    const note = openNote(`${c.body}\n${c.lines.join('')}`, [parseVerifierKey(c.vkey)]);
    assert.deepEqual(note.sigs.map((s) => [s.name, s.timestamp]), [[c.name, c.timestamp]]);
    assert.equal(note.unverifiedSigs.length, 1);
  });
});

describe('own keys', () => {
  const alice = generateSignerKey('alice.example/log', fixedRandom(1));
  const bob = generateSignerKey('bob.example/log', fixedRandom(2));

  it('generate a signer key and its verifier key in Go’s formats', () => {
    assert.match(alice.signerKey, /^PRIVATE\+KEY\+alice\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    assert.match(alice.verifierKey, /^alice\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    assert.equal(parseSignerKey(alice.signerKey).verifierKey, alice.verifierKey);
    assert.notEqual(generateSignerKey('alice.example/log').verifierKey, alice.verifierKey, 'the default source is random');
  });

  it('round-trip a note, and it does not verify under another key', () => {
    const text = 'hello\n\nworld\n';
    const note = signNote(text, [parseSignerKey(alice.signerKey), parseSignerKey(bob.signerKey)]);
    const opened = openNote(note, [parseVerifierKey(alice.verifierKey)]);
    assert.equal(opened.text, text);
    assert.deepEqual(opened.sigs.map((s) => s.name), ['alice.example/log']);
    assert.deepEqual(opened.unverifiedSigs.map((s) => s.name), ['bob.example/log']);
    const carol = generateSignerKey('carol.example/log', fixedRandom(3));
    throwsCode(() => openNote(note, [parseVerifierKey(carol.verifierKey)]), 'UNVERIFIED_NOTE');
    throwsCode(() => openNote(note.replace('hello', 'hellO'), [parseVerifierKey(alice.verifierKey)]), 'BAD_NOTE_SIGNATURE');
  });

  it('ignore a key that shares the name but not the key ID (and vice versa)', () => {
    const impostor = generateSignerKey('alice.example/log', fixedRandom(9));
    const note = signNote('x\n', [parseSignerKey(impostor.signerKey)]);
    throwsCode(() => openNote(note, [parseVerifierKey(alice.verifierKey)]), 'UNVERIFIED_NOTE');
  });

  it('refuse two different verifier keys with one name and key ID', () => {
    const v = parseVerifierKey(alice.verifierKey);
    const twin = { ...v, verifierKey: bob.verifierKey };
    const note = signNote('x\n', [parseSignerKey(alice.signerKey)]);
    throwsCode(() => openNote(note, [v, twin]), 'MALFORMED_KEY');
    assert.equal(openNote(note, [v, v]).sigs.length, 1);
  });
});

describe('strict parsing', () => {
  const alice = generateSignerKey('alice.example/log', fixedRandom(1));
  const signer = parseSignerKey(alice.signerKey);
  const verifier = parseVerifierKey(alice.verifierKey);

  it('validates key names literally: no spaces, no +, no controls, not empty', () => {
    assert.ok(isValidKeyName('example.com/log-1'));
    for (const bad of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u3000b', 'a\u0085b', 'a\nb', '\ud800']) assert.equal(isValidKeyName(bad), false, JSON.stringify(bad));
    throwsCode(() => generateSignerKey('bad name'), 'MALFORMED_KEY');
  });

  it('refuses malformed verifier keys', () => {
    const vkey = alice.verifierKey;
    const first = vkey.indexOf('+');
    const second = vkey.indexOf('+', first + 1);
    const [name, id, key] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
    assert.equal(`${name}+${id}+${key}`, vkey);
    for (const bad of [
      '',
      'no-plus',
      `${name}+${id}`,
      `${name}+${id.replace(/[0-9]/g, 'A')}+${key}`,
      `${name}+${id.slice(1)}+${key}`,
      `${name}+${id}+${key.slice(0, -1)}`,
      `${name}+00000000+${key}`,
      `other+${id}+${key}`,
      `${name}+${id}+${key}\n`,
      `+${id}+${key}`,
    ]) {
      throwsCode(() => parseVerifierKey(bad), 'MALFORMED_KEY');
    }
  });

  it('refuses malformed signer keys without echoing them', () => {
    for (const bad of [alice.verifierKey, `PRIVATE+KEY+${alice.verifierKey}`, alice.signerKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')]) {
      assert.throws(
        () => parseSignerKey(bad),
        (err: unknown) => err instanceof TlogError && err.code === 'MALFORMED_KEY' && !err.message.includes(alice.signerKey.slice(-20)),
      );
    }
  });

  it('refuses to sign text that is empty, lacks a final newline or holds control characters', () => {
    for (const bad of ['', 'no newline', 'tab\there\n', 'cr\r\n', 'lone \ud800\n']) throwsCode(() => signNote(bad, [signer]), 'MALFORMED_NOTE');
    throwsCode(() => signNote('ok\n', []), 'MALFORMED_NOTE');
  });

  it('refuses notes with bad structure', () => {
    const good = signNote('text\n', [signer]);
    const sigLine = good.slice('text\n\n'.length);
    for (const bad of [
      'text\n',
      'text\n\n',
      `text\n\n${sigLine.slice(0, -1)}`,
      `text\n\n${sigLine}\n`,
      `text\n\n${sigLine.replace('\u2014 ', '- ')}`,
      `text\n\n${sigLine.replace('\u2014 ', '\u2014')}`,
      `text\n\n${sigLine.replace(/ ([^ ]+)\n$/, '  $1\n')}`,
      `text\n\n${sigLine.replace(/=\n$/, '\n')}`,
      `text\n\n\u2014 alice.example/log AAAA\n`,
      `text\r\n\n${sigLine}`,
      `text\n\n${sigLine}garbage\n`,
    ]) {
      throwsCode(() => openNote(bad, [verifier]), 'MALFORMED_NOTE');
    }
  });

  it('accepts 100 signature lines and refuses 101', () => {
    const line = signNote('text\n', [signer]).slice('text\n\n'.length);
    const unknown = (i: number): string => `\u2014 other${i} ${Buffer.alloc(68, i).toString('base64')}\n`;
    const hundred = `text\n\n${line}${Array.from({ length: MAX_NOTE_SIGNATURES - 1 }, (_, i) => unknown(i)).join('')}`;
    assert.equal(openNote(hundred, [verifier]).unverifiedSigs.length, 99);
    throwsCode(() => openNote(`${hundred}${unknown(200)}`, [verifier]), 'MALFORMED_NOTE');
  });

  it('refuses invalid UTF-8 and oversized notes given as bytes', () => {
    const good = Buffer.from(signNote('text\n', [signer]));
    assert.equal(openNote(good, [verifier]).text, 'text\n');
    throwsCode(() => openNote(Buffer.concat([Buffer.from([0xff]), good]), [verifier]), 'MALFORMED_NOTE');
    throwsCode(() => openNote(Buffer.concat([Buffer.from([0xc3]), good]), [verifier]), 'MALFORMED_NOTE');
    throwsCode(() => openNote(new Uint8Array(2 * 1024 * 1024), [verifier]), 'MALFORMED_NOTE');
  });

  it('keeps a byte-order mark as text, so the signature no longer matches', () => {
    const good = Buffer.from(signNote('text\n', [signer]));
    throwsCode(() => openNote(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]), [verifier]), 'BAD_NOTE_SIGNATURE');
  });
});
