import path from 'node:path';
import type { Command } from 'commander';
import { createMemberKeyAndCsr, writePrivateKeyFile, type MemberView } from '../pki/index.js';
import { devDir } from '../config/index.js';
import type { CliContext } from './context.js';
import { issueMemberCertificate } from './ca-command.js';
import { readTextFile, writePublicFile } from './files.js';
import { operate } from './operator-client.js';

export function registerMemberCommands(program: Command, cli: CliContext): void {
  const member = program.command('member').description('member platforms: keys, enrolment, revocation');

  member
    .command('keygen')
    .description("make the member's key pair and a CSR (run by the member; the key never leaves it)")
    .requiredOption('--member <slug>', 'the member slug, e.g. shopmart')
    .requiredOption('--out <dir>', 'directory for <slug>-key.pem (0600) and <slug>.csr')
    .action(async (opts: { member: string; out: string }) => {
      const { keyPem, csrPem } = createMemberKeyAndCsr({ member: opts.member });
      const keyFile = path.resolve(opts.out, `${opts.member}-key.pem`);
      const csrFile = path.resolve(opts.out, `${opts.member}.csr`);
      await writePrivateKeyFile(keyFile, keyPem);
      await writePublicFile(csrFile, csrPem);
      cli.print(`key ${keyFile} (0600)\nCSR ${csrFile}: send it to the hub operator (wildintel ca sign --csr …)`);
    });

  member
    .command('enroll <slug>')
    .description('register a member on the hub with its certificate (also adds a new certificate when rotating)')
    .requiredOption('--cert <file>', 'the certificate issued by `wildintel ca sign`')
    .requiredOption('--name <name>', 'display name of the platform')
    .action(async (slug: string, opts: { cert: string; name: string }) => {
      const result = (await operate(cli.config(), cli.logger(), 'member.enroll', { slug, name: opts.name, certPem: readTextFile(opts.cert, 'certificate') })) as { member: MemberView; leafIndex: number; added: boolean };
      cli.print(result.added ? `enrolled ${slug} (log entry ${result.leafIndex})` : `${slug}: this certificate was already enrolled`);
    });

  member
    .command('create <slug>')
    .description('development shortcut: keygen + ca sign + enroll in one step, with the development root')
    .option('--name <name>', 'display name', '')
    .option('--out <dir>', 'where to write the key and certificate (default certs/dev/members/<slug>)')
    .action(async (slug: string, opts: { name: string; out?: string }) => {
      const config = cli.config();
      const dir = path.resolve(opts.out ?? path.join(devDir(config), 'members', slug));
      const { keyPem, csrPem } = createMemberKeyAndCsr({ member: slug });
      // The hub (if running) creates the development root on start; make sure it exists for signing.
      await operate(config, cli.logger(), 'log.checkpoint');
      const certPem = issueMemberCertificate(config, csrPem, {});
      await writePrivateKeyFile(path.join(dir, 'key.pem'), keyPem);
      await writePublicFile(path.join(dir, 'cert.pem'), certPem);
      await operate(config, cli.logger(), 'member.enroll', { slug, name: opts.name || slug, certPem });
      cli.print(`member ${slug} created and enrolled\n  key  ${path.join(dir, 'key.pem')} (0600)\n  cert ${path.join(dir, 'cert.pem')}`);
    });

  member
    .command('revoke <slug>')
    .description("revoke the member's certificates now: later batches are refused, earlier ones stay valid")
    .option('--reason <reason>', 'RFC 5280 reason, e.g. keyCompromise, superseded, cessationOfOperation', 'unspecified')
    .option('--serial <hex>', 'revoke only this certificate')
    .action(async (slug: string, opts: { reason: string; serial?: string }) => {
      const result = (await operate(cli.config(), cli.logger(), 'member.revoke', { slug, reason: opts.reason, ...(opts.serial ? { serial: opts.serial } : {}) })) as { revoked: string[]; revokedAt: string };
      cli.print(`revoked ${result.revoked.length} certificate(s) of ${slug} at ${iso(result.revokedAt)}: ${result.revoked.join(', ')}`);
    });

  member
    .command('list')
    .description('list members and their certificates')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { members } = (await operate(cli.config(), cli.logger(), 'member.list')) as { members: MemberView[] };
      if (opts.json) return cli.print(JSON.stringify(members, null, 2));
      if (members.length === 0) return cli.print('no members enrolled');
      cli.print(members.map(formatMember).join('\n'));
    });
}

function formatMember(m: MemberView): string {
  const certs = m.certificates.map((c) => `    serial ${c.serial}  until ${iso(c.notAfter)}${c.revokedAt ? `  REVOKED ${iso(c.revokedAt)} (${c.revocationReason})` : ''}`);
  return [`${m.slug}  ${m.name}  ${m.status}`, ...certs].join('\n');
}


/** Dates arrive as Date (run here) or as ISO text (run by the hub over its socket). */
function iso(value: Date | string): string {
  return new Date(value).toISOString();
}
