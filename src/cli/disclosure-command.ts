import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, readTextFile, writePublicFile } from './files.js';
import type { CliContext } from './context.js';
import { hubGraphql } from './hub-graphql.js';

// Loaded when a command runs, not for help: the disclosure context brings jose and the database layer.
const loadDisclosure = (): Promise<typeof import('../disclosure/formats/index.js')> => import('../disclosure/formats/index.js');
const loadPki = (): Promise<typeof import('../pki/index.js')> => import('../pki/index.js');

const REQUEST_FIELDS = `id caseId officer fingerprint filedAt expiresAt expired legalBasis { reference } routes { member state declineReason declineNote }`;

interface RequestListing {
  id: string;
  caseId: string;
  officer: string;
  fingerprint: string;
  filedAt: string;
  expiresAt: string;
  expired: boolean;
  legalBasis: { reference: string };
  routes: Array<{ member: string; state: string; declineReason: string | null; declineNote: string | null }>;
}

/** "30d", "12h" or a number of days. */
export function parseDays(text: string): number {
  const match = /^(\d{1,3})([dh]?)$/.exec(text.trim());
  if (match === null) throw new CliError('INVALID_ARGUMENT', '--expires-in takes a duration such as 30d or 72h');
  return Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 86_400_000);
}

function formatRequest(r: RequestListing): string {
  const routes = r.routes.map((x) => `${x.member}: ${x.state}${x.declineReason ? ` (${x.declineReason}${x.declineNote ? `: ${x.declineNote}` : ''})` : ''}`).join(', ');
  return `${r.id}  case ${r.caseId}  ${r.fingerprint}  filed ${r.filedAt}  ${r.expired ? 'EXPIRED' : `until ${r.expiresAt}`}\n  ${routes}`;
}

export function registerDisclosureCommands(program: Command, cli: CliContext): void {
  const disclosure = program.command('disclosure').description('agencies: lawful re-identification requests, answered only by the members (docs/disclosure.md)');
  disclosure
    .command('keygen')
    .description("make the agency's disclosure keys: an encryption key (answers are encrypted to it) and a signing key (requests are signed with it); only the public JWK set leaves the agency")
    .requiredOption('--agency <slug>', 'the agency')
    .requiredOption('--out <dir>', 'where to write the keys')
    .option('--curve <curve>', 'x25519 (X25519 + Ed25519) or p256 (both EC P-256)', 'x25519')
    .action(async (opts: { agency: string; out: string; curve: string }) => {
      if (opts.curve !== 'x25519' && opts.curve !== 'p256') throw new CliError('INVALID_ARGUMENT', '--curve is x25519 or p256');
      const [{ generateAgencyKeys }, { writePrivateKeyFile }] = await Promise.all([loadDisclosure(), loadPki()]);
      const keys = await generateAgencyKeys(opts.curve);
      const file = (name: string): string => path.resolve(opts.out, `${opts.agency}-${name}`);
      await writePrivateKeyFile(file('encryption-key.pem'), keys.encryptionKeyPem);
      await writePrivateKeyFile(file('signing-key.pem'), keys.signingKeyPem);
      await writePublicFile(file('disclosure-keys.json'), `${JSON.stringify(keys.publicKeys, null, 2)}\n`);
      cli.print(
        [
          `private keys (0600, keep them at the agency): ${file('encryption-key.pem')}, ${file('signing-key.pem')}`,
          `public key set: ${file('disclosure-keys.json')}`,
          `give the public key set to the hub operator: wildintel agency key ${opts.agency} --encryption-key ${file('disclosure-keys.json')}`,
        ].join('\n'),
      );
    });

  disclosure
    .command('request')
    .description('sign a request with the agency signing key and file it (a token with disclosure:request and sellers:read)')
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', "the analyst's token")
    .requiredOption('--signing-key <file>', "the agency's private signing key")
    .requiredOption('--agency-keys <file>', "the agency's public key set (names the encryption key answers are encrypted to)")
    .option('--fingerprint <fp>', 'the seller fingerprint (fp1.…)')
    .option('--indicator <id>', 'or the SELLER indicator id')
    .requiredOption('--case <id>', 'the case id')
    .requiredOption('--officer <name>', 'the requesting officer')
    .requiredOption('--reference <ref>', 'the legal basis reference number')
    .option('--legal-basis <text>', 'the legal basis')
    .option('--legal-basis-file <file>', 'or a file holding it')
    .option('--expires-in <duration>', 'how long members may answer (at most the hub’s DISCLOSURE_TTL_DAYS)')
    .option('--json', 'print JSON')
    .action(async (opts: { hub: string; token: string; signingKey: string; agencyKeys: string; fingerprint?: string; indicator?: string; case: string; officer: string; reference: string; legalBasis?: string; legalBasisFile?: string; expiresIn?: string; json?: boolean }) => {
      if ((opts.fingerprint === undefined) === (opts.indicator === undefined)) throw new CliError('INVALID_ARGUMENT', 'give exactly one of --fingerprint and --indicator');
      if ((opts.legalBasis === undefined) === (opts.legalBasisFile === undefined)) throw new CliError('INVALID_ARGUMENT', 'give exactly one of --legal-basis and --legal-basis-file');
      const [{ decodeJwt }, { agencyKeySet, encryptionKeyOf, signDisclosureRequest }] = await Promise.all([import('jose'), loadDisclosure()]);
      const claims = decodeJwt(opts.token);
      const now = new Date();
      const keys = await agencyKeySet(readTextFile(opts.agencyKeys, 'agency key set'));
      const jws = await signDisclosureRequest(
        {
          v: 1,
          requestId: randomUUID(),
          agency: String(claims['agency']),
          analyst: String(claims.sub),
          tokenId: String(claims.jti),
          officer: opts.officer,
          caseId: opts.case,
          legalBasis: { reference: opts.reference, text: opts.legalBasis ?? readTextFile(opts.legalBasisFile!, 'legal basis file') },
          target: opts.fingerprint !== undefined ? { fingerprint: opts.fingerprint } : { indicatorId: opts.indicator! },
          encryptionKid: encryptionKeyOf(keys).kid,
          createdAt: now.toISOString(),
          ...(opts.expiresIn === undefined ? {} : { expiresAt: new Date(now.getTime() + parseDays(opts.expiresIn)).toISOString() }),
        },
        readTextFile(opts.signingKey, 'signing key'),
      );
      const data = await hubGraphql<{ fileDisclosureRequest: { duplicate: boolean; request: RequestListing } }>(opts.hub, opts.token, `mutation($r: String!) { fileDisclosureRequest(request: $r) { duplicate request { ${REQUEST_FIELDS} } } }`, { r: jws });
      const filed = data.fileDisclosureRequest.request;
      cli.print(opts.json ? JSON.stringify(filed, null, 2) : `request ${filed.id} filed, routed to ${filed.routes.map((r) => r.member).join(', ')}; members may answer until ${filed.expiresAt}`);
    });

  disclosure
    .command('list')
    .description("the agency's requests and how each member answered")
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', 'a token with disclosure:request')
    .option('--case <id>', 'one case only')
    .option('--json', 'print JSON')
    .action(async (opts: { hub: string; token: string; case?: string; json?: boolean }) => {
      const data = await hubGraphql<{ disclosureRequests: { requests: RequestListing[] } }>(opts.hub, opts.token, `query($c: String) { disclosureRequests(caseId: $c, first: 200) { requests { ${REQUEST_FIELDS} } } }`, { c: opts.case ?? null });
      const requests = data.disclosureRequests.requests;
      cli.print(opts.json ? JSON.stringify(requests, null, 2) : requests.length === 0 ? 'no requests' : requests.map(formatRequest).join('\n'));
    });

  disclosure
    .command('open <requestId>')
    .description("fetch the answers to a request and decrypt them with the agency's private encryption key (the first fetch by a token is logged)")
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', 'a token with disclosure:request')
    .requiredOption('--key <file>', "the agency's private encryption key")
    .option('--root <file>', "the federation root: also verify each answer is signed by its member's certificate")
    .option('--json', 'print JSON')
    .action(async (requestId: string, opts: { hub: string; token: string; key: string; root?: string; json?: boolean }) => {
      const data = await hubGraphql<{ disclosureAnswers: Array<{ member: string; record: string; ciphertext: string; leafIndex: number }> }>(opts.hub, opts.token, `query($id: ID!) { disclosureAnswers(requestId: $id) { member record ciphertext leafIndex } }`, { id: requestId });
      const [{ createMemberStepVerifier, decryptAnswer, DisclosureError }, { pemToDerCertificates }] = await Promise.all([loadDisclosure(), loadPki()]);
      const key = readTextFile(opts.key, 'encryption key');
      const steps = opts.root === undefined ? undefined : createMemberStepVerifier({ roots: pemToDerCertificates(readTextFile(opts.root, 'root certificate')), isRevoked: () => undefined });
      const opened = [];
      for (const a of data.disclosureAnswers) {
        const { plaintext } = await decryptAnswer(a.ciphertext, key);
        const signed = await steps?.verify(a.record);
        if (plaintext.member !== a.member || plaintext.requestId !== requestId || (signed !== undefined && (signed.payload.member !== a.member || signed.payload.step !== 'answered' || signed.payload.answer !== a.ciphertext))) {
          throw new DisclosureError('ANSWER_INVALID', `the answer attributed to ${a.member} is not ${a.member}'s signed answer to request ${requestId}`);
        }
        opened.push({ leafIndex: a.leafIndex, signatureVerified: signed !== undefined, ...plaintext });
      }
      if (opts.json) return cli.print(JSON.stringify(opened, null, 2));
      cli.print(opened.length === 0 ? 'no answers yet' : opened.map((o) => `${o.member}: ${o.identifier.kind} ${o.identifier.value}  (fingerprint ${o.fingerprint}; seen ${o.firstSeenAt} to ${o.lastSeenAt}; log entry ${o.leafIndex}${o.signatureVerified ? '; signed by the member under the federation root' : ''})`).join('\n'));
    });
}
