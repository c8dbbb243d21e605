import path from 'node:path';
import type { Command } from 'commander';
import { devDir, rootCertPath } from '../config/index.js';
import { createRootCa, parseCertificate, signMemberCsr, writePrivateKeyFile, MAX_MEMBER_VALIDITY_DAYS } from '../pki/index.js';
import { systemClock } from '../kernel/index.js';
import type { Config } from '../config/index.js';
import type { CliContext } from './context.js';
import { CliError, readTextFile, writePublicFile } from './files.js';

/** The root key: --ca-key, else ROOT_CA_KEY, else the development root's key. */
export function caKeyPath(config: Readonly<Config>, flag?: string): string {
  if (flag !== undefined) return path.resolve(flag);
  if (config.ROOT_CA_KEY !== undefined) return config.ROOT_CA_KEY;
  const root = rootCertPath(config);
  if (root.development) return path.join(devDir(config), 'root-key.pem');
  throw new CliError('INVALID_ARGUMENT', 'give the root CA key with --ca-key or ROOT_CA_KEY');
}

/** Issues a member certificate from a CSR with the federation root. */
export function issueMemberCertificate(config: Readonly<Config>, csrPem: string, options: { caCert?: string; caKey?: string; days?: number }): string {
  const certPath = options.caCert ?? rootCertPath(config).path;
  const ca = { certPem: readTextFile(certPath, 'root CA certificate'), keyPem: readTextFile(caKeyPath(config, options.caKey), 'root CA key') };
  return signMemberCsr({ csrPem, ca, now: systemClock.now(), validityDays: options.days ?? MAX_MEMBER_VALIDITY_DAYS });
}

export function registerCaCommands(program: Command, cli: CliContext): void {
  const ca = program.command('ca').description('the federation root certificate authority (hub operator)');

  ca.command('init')
    .description('create the federation root CA: certificate to certs/root.pem, private key (mode 0600) where you choose')
    .option('--cert <file>', 'where to write the root certificate', 'certs/root.pem')
    .requiredOption('--key <file>', 'where to write the root private key (keep it offline; never commit it)')
    .option('--name <cn>', 'subject common name', 'wildintel federation root')
    .option('--years <n>', 'validity in years', '20')
    .action(async (opts: { cert: string; key: string; name: string; years: string }) => {
      const years = Number(opts.years);
      if (!Number.isInteger(years) || years < 1 || years > 30) throw new CliError('INVALID_ARGUMENT', '--years must be a whole number from 1 to 30');
      const root = createRootCa({ commonName: opts.name, validityYears: years, now: systemClock.now() });
      await writePrivateKeyFile(path.resolve(opts.key), root.keyPem);
      await writePublicFile(path.resolve(opts.cert), root.certPem);
      const info = parseCertificate(root.certPem);
      cli.print(`root CA created\n  certificate ${opts.cert}\n  private key ${opts.key} (0600)\n  SHA-256 ${info.fingerprintSha256}\n  valid until ${info.notAfter.toISOString()}`);
    });

  ca.command('sign')
    .description("issue a member certificate from the member's CSR (the member's key never leaves the member)")
    .requiredOption('--csr <file>', 'the CSR made by `wildintel member keygen`')
    .option('--out <file>', 'write the certificate here instead of standard output')
    .option('--ca-cert <file>', 'root certificate (default: ROOT_CA_CERT or certs/root.pem)')
    .option('--ca-key <file>', 'root private key (default: ROOT_CA_KEY)')
    .option('--days <n>', `validity in days (at most ${MAX_MEMBER_VALIDITY_DAYS})`, String(MAX_MEMBER_VALIDITY_DAYS))
    .action(async (opts: { csr: string; out?: string; caCert?: string; caKey?: string; days: string }) => {
      const certPem = issueMemberCertificate(cli.config(), readTextFile(opts.csr, 'CSR'), { caCert: opts.caCert, caKey: opts.caKey, days: Number(opts.days) });
      if (opts.out === undefined) return cli.print(certPem.trimEnd());
      await writePublicFile(path.resolve(opts.out), certPem);
      const info = parseCertificate(certPem);
      cli.print(`issued ${opts.out} for ${info.subjectCN}: serial ${info.serialHex}, valid until ${info.notAfter.toISOString()}`);
    });
}
