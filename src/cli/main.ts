import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../config/index.js';
import { createLogger, isWildintelError, type Logger } from '../kernel/index.js';
import { VERSION } from '../hub/index.js';
import type { CliContext } from './context.js';
import { registerConfigCommand } from './config-command.js';
import { registerDbCommands } from './db-command.js';
import { registerHubCommand } from './hub-command.js';
import { registerCaCommands } from './ca-command.js';
import { registerMemberCommands } from './member-command.js';
import { registerPublishCommand } from './publish-file-command.js';
import { registerAuditCommands } from './audit-command.js';
import { registerHashCommand } from './hash-command.js';
import { registerTokenCommands } from './token-command.js';
import { registerNodeCommands } from './node-command.js';

export function buildProgram(cli: CliContext): Command {
  const program = new Command('wildintel')
    .description('wildintel: a federation for sharing signed, anonymized indicators of the illegal online wildlife trade')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerHubCommand(program, cli);
  registerDbCommands(program, cli);
  registerCaCommands(program, cli);
  registerMemberCommands(program, cli);
  registerPublishCommand(program, cli);
  registerAuditCommands(program, cli);
  registerHashCommand(program, cli);
  registerTokenCommands(program, cli);
  registerNodeCommands(program, cli);
  registerConfigCommand(program, cli);
  return program;
}

function defaultContext(): CliContext {
  let config: Readonly<Config> | undefined;
  let logger: Logger | undefined;
  return {
    config: () => (config ??= loadConfig(process.env)),
    logger: () => (logger ??= createLogger(loadConfig(process.env).LOG_LEVEL)),
    print: (text) => process.stdout.write(`${text}\n`),
  };
}

/**
 * Runs the CLI. Expected failures (bad configuration, an unreachable database,
 * a refused action) print one line naming the problem and its code, and exit 1;
 * no stack trace. Usage errors exit 2.
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(defaultContext());
  try {
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
    process.stderr.write(`wildintel: ${err.message} [${err.code}]\n`);
    return 1;
  }
  process.stderr.write(`wildintel: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
