import type { Command } from 'commander';
import type { TokenView } from '../auth/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { operate } from './operator-client.js';

/** "8h", "30m", "3600s" or a number of seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d{1,6})([smh]?)$/.exec(text.trim());
  if (match === null) throw new CliError('INVALID_ARGUMENT', '--ttl takes a duration such as 8h, 30m or 3600s (at most 24h)');
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600, '': 1 } as const)[match[2] as 's' | 'm' | 'h' | ''];
}

interface KeyView {
  encryptionKid: string;
  signingKid: string;
  keysSha256: string;
  leafIndex: number;
}

function keyInput(opts: { encryptionKey?: string; signingKey?: string }): { encryptionKey?: string; signingKey?: string } {
  return {
    ...(opts.encryptionKey === undefined ? {} : { encryptionKey: readTextFile(opts.encryptionKey, 'encryption key file') }),
    ...(opts.signingKey === undefined ? {} : { signingKey: readTextFile(opts.signingKey, 'signing key file') }),
  };
}

function describeKeys(k: KeyView): string {
  return `disclosure keys registered (log entry ${k.leafIndex}, keysSha256 ${k.keysSha256}): encryption ${k.encryptionKid}, signing ${k.signingKid}`;
}

export function registerTokenCommands(program: Command, cli: CliContext): void {
  const agency = program.command('agency').description('agencies (customs, forestry, police) that query the hub');
  agency
    .command('add <slug>')
    .description('register an agency')
    .requiredOption('--name <name>', 'display name, e.g. "Customs Anti-Smuggling Bureau"')
    .option('--encryption-key <file>', 'register its disclosure keys too: the public JWK set from `wildintel disclosure keygen` (or the encryption key alone, JWK or PEM)')
    .option('--signing-key <file>', 'its public signing key, when not in the --encryption-key file')
    .action(async (slug: string, opts: { name: string; encryptionKey?: string; signingKey?: string }) => {
      const result = (await operate(cli.config(), cli.logger(), 'agency.add', { slug, name: opts.name, ...keyInput(opts) })) as { keys?: KeyView };
      cli.print(`agency ${slug} registered${result.keys ? `\n${describeKeys(result.keys)}` : ''}`);
    });
  agency
    .command('key <slug>')
    .description("register (or replace) an agency's disclosure keys: the encryption key answers are encrypted to, and the signing key its requests are signed with; logged as an agency entry")
    .requiredOption('--encryption-key <file>', 'the public JWK set from `wildintel disclosure keygen`, or the encryption key alone (X25519 or P-256, JWK or PEM)')
    .option('--signing-key <file>', 'the public signing key (Ed25519 or P-256), when not in the --encryption-key file')
    .action(async (slug: string, opts: { encryptionKey: string; signingKey?: string }) => {
      const result = (await operate(cli.config(), cli.logger(), 'agency.key', { slug, ...keyInput(opts) })) as { keys: KeyView };
      cli.print(describeKeys(result.keys));
    });
  agency
    .command('competence <slug>')
    .description('register what an agency receives referrals for (replacing what it had): commodities and jurisdictions (docs/agency-api.md "Referrals")')
    .requiredOption('--commodity <commodity...>', 'IVORY, RHINO_HORN, PANGOLIN, … (one or more)')
    .requiredOption('--jurisdiction <code...>', 'ISO 3166 country (covers its subdivisions) or subdivision (CN, CN-YN), or region:<slug> (one or more)')
    .action(async (slug: string, opts: { commodity: string[]; jurisdiction: string[] }) => {
      const c = (await operate(cli.config(), cli.logger(), 'agency.competence', { slug, commodities: opts.commodity, jurisdictions: opts.jurisdiction })) as { commodities: string[]; jurisdictions: string[] };
      cli.print(`agency ${slug} receives referrals about ${c.commodities.join(', ') || 'nothing'} in ${c.jurisdictions.join(', ') || 'nowhere'}`);
    });
  agency
    .command('list')
    .description('list agencies')
    .action(async () => {
      const { agencies } = (await operate(cli.config(), cli.logger(), 'agency.list')) as { agencies: Array<{ slug: string; name: string }> };
      cli.print(agencies.length === 0 ? 'no agencies' : agencies.map((a) => `${a.slug}  ${a.name}`).join('\n'));
    });

  const token = program.command('token').description('scoped agency tokens (JWT, EdDSA); issuance is logged, never the token');
  token
    .command('issue')
    .description('issue a token to an analyst and print it (least privilege: give only the scopes and TLP needed)')
    .requiredOption('--agency <slug>', 'the agency')
    .requiredOption('--sub <analyst>', 'who will use it (an analyst id)')
    .requiredOption('--scope <scopes>', 'space-separated: indicators:read sellers:read match:image match:text stats:read provenance:read audit:read admin taxii:read disclosure:request referrals:read referrals:act')
    .option('--tlp <tlp>', 'highest TLP the holder may see', 'GREEN')
    .option('--commodities <list>', 'restrict to these commodities (comma-separated)')
    .option('--ttl <duration>', 'lifetime, at most 24h', '8h')
    .action(async (opts: { agency: string; sub: string; scope: string; tlp: string; commodities?: string; ttl: string }) => {
      const input = { agency: opts.agency, sub: opts.sub, scope: opts.scope, tlp: opts.tlp.toUpperCase(), ttlSeconds: parseTtl(opts.ttl), ...(opts.commodities ? { commodities: opts.commodities.split(',').map((c) => c.trim().toUpperCase()) } : {}) };
      const issued = (await operate(cli.config(), cli.logger(), 'token.issue', input)) as { token: string; jti: string; expiresAt: string };
      process.stderr.write(`token ${issued.jti} for ${opts.sub} (${opts.agency}), expires ${new Date(issued.expiresAt).toISOString()}\n`);
      cli.print(issued.token);
    });
  token
    .command('revoke <jti>')
    .description('revoke a token now')
    .action(async (jti: string) => {
      const revoked = (await operate(cli.config(), cli.logger(), 'token.revoke', { jti })) as { leafIndex: number };
      cli.print(`token ${jti} revoked (log entry ${revoked.leafIndex})`);
    });
  token
    .command('list')
    .description('issued tokens (ids and claims only)')
    .action(async () => {
      const { tokens } = (await operate(cli.config(), cli.logger(), 'token.list')) as { tokens: TokenView[] };
      if (tokens.length === 0) return cli.print('no tokens issued');
      cli.print(tokens.map((t) => `${t.jti}  ${t.agency}/${t.sub}  ${t.scope}  ${t.tlp}  until ${new Date(t.expiresAt).toISOString()}${t.revokedAt ? '  REVOKED' : ''}`).join('\n'));
    });
}
