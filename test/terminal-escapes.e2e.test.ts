/**
 * Terminal escape injection: text another party wrote (an agency's officer, a member's note, a
 * hub's error message) reaches an operator's terminal only escaped. A hostile hub is played here by
 * a real HTTP server answering GraphQL with ESC/OSC sequences and bidi controls; the real CLI runs
 * against it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './helpers/hub-process.js';

const OSC_TITLE = '\u001b]0;pwned\u0007';
const CLEAR_SCREEN = '\u001b[2J\u001b[H';
const RLO = '\u202e';
const HOSTILE = {
  id: '3e1f9a52-0000-4000-8000-000000000001',
  caseId: 'CASE-1',
  officer: `Insp. Li${OSC_TITLE}`,
  fingerprint: 'fp1.2026-01.AAAA',
  filedAt: '2026-12-01T00:00:00Z',
  expiresAt: '2026-12-31T00:00:00Z',
  expired: false,
  legalBasis: { reference: `CUS${CLEAR_SCREEN}` },
  routes: [{ member: 'shopmart', state: 'declined', declineReason: 'OTHER', declineNote: `${RLO}devorppa\u009b31m` }],
};
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('text from another party printed by the CLI', () => {
  let server: Server;
  let hub: string;
  let refuse = false;

  before(async () => {
    server = createServer((req, res) => {
      req.resume().on('end', () => {
        const body = refuse ? { errors: [{ message: `no such case${CLEAR_SCREEN}${OSC_TITLE}`, extensions: { code: 'NOT_FOUND' } }] } : { data: { disclosureRequests: { requests: [HOSTILE] } } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('disclosure list prints escape sequences and bidi controls escaped, never raw', async () => {
    refuse = false;
    const run = await runCli(['disclosure', 'list', '--hub', hub, '--token', 'x'], {});
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, RAW_CONTROLS);
    assert.ok(run.stdout.includes('\\u202edevorppa\\u009b31m'), run.stdout);
  });

  it('disclosure list --json stays the same JSON: the escapes are JSON escapes', async () => {
    refuse = false;
    const run = await runCli(['disclosure', 'list', '--hub', hub, '--token', 'x', '--json'], {});
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, RAW_CONTROLS);
    assert.deepEqual(JSON.parse(run.stdout), [HOSTILE]);
  });

  it("a hub's refusal message reaches stderr escaped", async () => {
    refuse = true;
    const run = await runCli(['disclosure', 'list', '--hub', hub, '--token', 'x'], {});
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stderr, RAW_CONTROLS);
    assert.match(run.stderr, /no such case\\u001b\[2J/);
  });
});
