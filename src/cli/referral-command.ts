import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CliError, readTextFile } from './files.js';
import { hubGraphql } from './hub-graphql.js';

/** A file name from another party, made safe to write inside DIR: no path, no leading dot, no control characters. */
function safeName(name: string, index: number): string {
  const base = path.basename(name).replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '');
  return `${String(index + 1).padStart(2, '0')}-${base === '' ? 'evidence' : base.slice(0, 120)}`;
}

export function registerReferralCommands(program: Command, cli: CliContext): void {
  const referral = program.command('referral').description("agencies: referrals members sent to your agency (docs/agency-api.md \"Referrals\")");
  referral
    .command('evidence <referralId>')
    .description("decrypt a referral's evidence with the agency's encryption key and write its files to DIR")
    .requiredOption('--hub <url>', 'the hub')
    .requiredOption('--token <jwt>', 'a token with referrals:read')
    .requiredOption('--key <file>', "the agency's private encryption key (PKCS#8 PEM from wildintel disclosure keygen)")
    .requiredOption('--out <dir>', 'where to write the files (created; holds evidence: keep it as the case file requires)')
    .action(async (referralId: string, opts: { hub: string; token: string; key: string; out: string }) => {
      const data = await hubGraphql<{ referral: { evidence: string | null } | null }>(opts.hub, opts.token, 'query($id: ID!) { referral(id: $id) { evidence } }', { id: referralId });
      const jwe = data.referral?.evidence;
      if (jwe === undefined || jwe === null) throw new CliError('INVALID_ARGUMENT', `referral ${referralId} carries no evidence`);
      // The referrals room (its stores, GraphQL types) loads only when evidence is decrypted.
      const { decryptEvidence } = await import('../referrals/index.js');
      const evidence = await decryptEvidence(jwe, readTextFile(opts.key, 'encryption key'), referralId);
      await mkdir(opts.out, { recursive: true, mode: 0o700 });
      const written: string[] = [];
      for (const [i, file] of evidence.files.entries()) {
        const target = path.join(opts.out, safeName(file.name, i));
        await writeFile(target, Buffer.from(file.data, 'base64'), { mode: 0o600, flag: 'wx' });
        written.push(`${target}  ${file.mediaType}`);
      }
      cli.print(written.join('\n'));
    });
}
