/**
 * The member node's image limits, against a real `wildintel node` process whose memory is read
 * from outside (/proc/<pid>/status): decompression bombs are refused from their header before
 * anything is decoded, decodes are bounded in number, an image too wide to hash and a blank one
 * (a PDQ hash of quality under the threshold) are refused with a code, and the node goes on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestFederation, type TestFederation } from './helpers/federation.js';
import { onlyInPass, spawnWildintel, type HubProcess } from './helpers/hub-process.js';
import { callNode, nodeFixture, sharedPseudonymKey, testPicture, type NodeFixture } from './helpers/member-node.js';
import { blankPng, peakRss } from './helpers/bomb-images.js';
import sharp from 'sharp';
import { createLogger } from '../src/kernel/index.js';

const common = { commodity: 'PANGOLIN', confidence: 70, observedAt: '2026-03-01T12:00:00Z' };
const MB = 1024 * 1024;

describe('image limits at the member node', { skip: onlyInPass('server') }, () => {
  let dir: string;
  let fed: TestFederation;
  let fixture: NodeFixture;
  let node: HubProcess;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wildintel-image-limits-'));
    fed = await startTestFederation({ env: { HUB_ORIGIN: 'http://hub.test' } });
    fixture = await nodeFixture(fed, await fed.addMember('shopmart'), await sharedPseudonymKey(dir), { LOG_LEVEL: 'warn' });
    node = await spawnWildintel(['node'], 'member node listening', { ...fixture.env, LOG_LEVEL: 'info' });
  });
  after(async () => {
    if (node?.child.exitCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    await fixture?.cleanup();
    await fed?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = (image: Buffer) => callNode(node.url, fixture.apiKey, '/v1/observations', { observations: [{ kind: 'keyword', text: '穿山甲', ...common }, { kind: 'image', data: image.toString('base64'), ...common }] });
  const refusal = (res: { status: number; body: Record<string, unknown> }) => res.body['error'] as { code: string; index: number; field: string; reason: string };

  it('survives ten concurrent 16000×16000 bombs (31 KB each) with its peak RSS under 600 MB, refusing each from its header', async (t) => {
    const bomb = blankPng(16000, 16000);
    assert.ok(bomb.length < 40_000, `a ${bomb.length}-byte bomb`);
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(bomb)));
    for (const res of answers) {
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual([refusal(res).code, refusal(res).index, refusal(res).field, refusal(res).reason], ['INVALID_OBSERVATION', 1, 'data', 'IMAGE_TOO_LARGE']);
      assert.match((res.body['error'] as { message: string }).message, /16000×16000/);
    }
    const peak = await peakRss(node.child.pid!);
    t.diagnostic(`peak RSS of the node process: ${Math.round(peak / MB)} MB`);
    assert.ok(peak < 600 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
  });

  it('decodes at most NODE_IMAGE_DECODES (2) real 24-megapixel photographs at once: ten sent together stay under 600 MB', async (t) => {
    const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 255));
    const photo = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } }).resize(6000, 4000, { kernel: 'nearest' }).jpeg({ quality: 80 }).toBuffer();
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(photo)));
    for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body));
    const peak = await peakRss(node.child.pid!);
    t.diagnostic(`peak RSS of the node process: ${Math.round(peak / MB)} MB`);
    assert.ok(peak < 600 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
  });

  it('refuses a 1,048,577×1 image as too large, as the docs say', async () => {
    const res = await upload(blankPng(1_048_577, 1));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual([refusal(res).code, refusal(res).field, refusal(res).reason], ['INVALID_OBSERVATION', 'data', 'IMAGE_TOO_LARGE']);
  });

  it('refuses a blank image, whose PDQ hash is of quality 0, with PDQ_QUALITY_TOO_LOW', async () => {
    const res = await upload(blankPng(256, 256, 8));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual([refusal(res).code, refusal(res).field, refusal(res).reason], ['INVALID_OBSERVATION', 'data', 'PDQ_QUALITY_TOO_LOW']);
  });

  it('refuses, before decoding, an image whose samples could never fit the decode memory (NODE_IMAGE_DECODES × 6 × NODE_MAX_IMAGE_PIXELS), and hashes an 8-bit one of the same size', async () => {
    const small = await nodeFixture(fed, await fed.addMember('chatapp'), await sharedPseudonymKey(dir), { NODE_IMAGE_DECODES: '1', NODE_MAX_IMAGE_PIXELS: '1000000' });
    const running = await small.start(createLogger('silent'));
    try {
      const picture = await testPicture(9);
      const sized = (bits: 8 | 16) => {
        const resized = sharp(picture).resize(1000, 1000, { fit: 'fill' });
        return (bits === 16 ? resized.toColourspace('rgb16') : resized).png().toBuffer();
      };
      const send = (image: Buffer) => callNode(running.url, small.apiKey, '/v1/observations', { observations: [{ kind: 'image', data: image.toString('base64'), ...common }] });
      const refused = await send(await sized(16));
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.deepEqual([refusal(refused).code, refusal(refused).field, refusal(refused).reason], ['INVALID_OBSERVATION', 'data', 'IMAGE_TOO_LARGE']);
      assert.match((refused.body['error'] as { message: string }).message, /9 MB to decode, over the decode memory of 6 MB \(NODE_IMAGE_DECODES × 6 × NODE_MAX_IMAGE_PIXELS\)/);
      const hashed = await send(await sized(8));
      assert.equal(hashed.status, 200, JSON.stringify(hashed.body));
    } finally {
      await running.stop();
      await small.cleanup();
    }
  });

  it('still hashes an ordinary picture afterwards', async () => {
    const res = await upload(await testPicture(5));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [, image] = res.body['indicators'] as Array<Array<{ type: string; quality?: number }>>;
    assert.deepEqual(image!.map((i) => i.type), ['IMAGE_PDQ', 'IMAGE_SHA256']);
    assert.ok((image![0]!.quality ?? 0) >= 50);
  });
});
