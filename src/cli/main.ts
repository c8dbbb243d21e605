import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../config/index.js';
import { VERSION, createLogger, escapeForTerminal, isWildintelError, type Logger } from '../kernel/index.js';
import type { CliContext } from './context.js';

type Register = (program: Command, cli: CliContext) => void;

/**
 * The top-level commands, in the order help lists them, and the module that declares each.
 * Only the module of the command being run is loaded, with what it imports: `wildintel hash`,
 * `audit verify` or `ca` start without the database, GraphQL and HTTP stacks. Help loads them all.
 */
const COMMAND_MODULES: ReadonlyArray<{ readonly names: readonly string[]; readonly load: () => Promise<Register> }> = [
  { names: ['hub'], load: async () => (await import('./hub-command.js')).registerHubCommand },
  { names: ['db'], load: async () => (await import('./db-command.js')).registerDbCommands },
  { names: ['ca'], load: async () => (await import('./ca-command.js')).registerCaCommands },
  { names: ['member'], load: async () => (await import('./member-command.js')).registerMemberCommands },
  { names: ['publish'], load: async () => (await import('./publish-file-command.js')).registerPublishCommand },
  { names: ['audit'], load: async () => (await import('./audit-command.js')).registerAuditCommands },
  { names: ['model'], load: async () => (await import('./model-command.js')).registerModelCommands },
  { names: ['hash'], load: async () => (await import('./hash-command.js')).registerHashCommand },
  { names: ['agency', 'token'], load: async () => (await import('./token-command.js')).registerTokenCommands },
  { names: ['disclosure'], load: async () => (await import('./disclosure-command.js')).registerDisclosureCommands },
  { names: ['referral'], load: async () => (await import('./referral-command.js')).registerReferralCommands },
  { names: ['evidence'], load: async () => (await import('./evidence-command.js')).registerEvidenceCommands },
  { names: ['node', 'federation'], load: async () => (await import('./node-command.js')).registerNodeCommands },
  { names: ['warninglist', 'quarantine'], load: async () => (await import('./guard-command.js')).registerGuardCommands },
  { names: ['config'], load: async () => (await import('./config-command.js')).registerConfigCommand },
  { names: ['export', 'interop'], load: async () => (await import('./interop-command.js')).registerInteropCommands },
  { names: ['report'], load: async () => (await import('./report-command.js')).registerReportCommand },
];

/**
 * The program with the command named `command` declared, none for `--version`, or every command
 * when it names none (help).
 */
export async function buildProgram(cli: CliContext, command?: string): Promise<Command> {
  const program = new Command('wildintel')
    .description('wildintel: a federation for sharing signed, anonymized indicators of the illegal online wildlife trade')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  const named = COMMAND_MODULES.filter((m) => command !== undefined && m.names.includes(command));
  const declared = command === '--version' || command === '-V' ? [] : named.length > 0 ? named : COMMAND_MODULES;
  for (const m of declared) (await m.load())(program, cli);
  return program;
}

function defaultContext(): CliContext {
  let config: Readonly<Config> | undefined;
  let logger: Logger | undefined;
  return {
    config: () => (config ??= loadConfig(process.env)),
    logger: () => (logger ??= createLogger(loadConfig(process.env).LOG_LEVEL)),
    // Everything printed may carry another party's text (an officer, a legal basis, a note): escaped here, once.
    print: (text) => process.stdout.write(`${escapeForTerminal(text)}\n`),
  };
}

/**
 * Runs the CLI. Expected failures (bad configuration, an unreachable database,
 * a refused action) print one line naming the problem and its code, and exit 1;
 * no stack trace. Usage errors exit 2.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(defaultContext(), argv[2]);
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
  }
  if (isWildintelError(err)) {
    process.stderr.write(`wildintel: ${escapeForTerminal(err.message)} [${err.code}]\n`);
    return 1;
  }
  process.stderr.write(`wildintel: unexpected error: ${escapeForTerminal(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  return 1;
}
