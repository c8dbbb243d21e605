import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { logKeyPath } from '../config/index.js';
import { createLogKey, readLogKey } from '../hub/index.js';
import type { CliContext } from './context.js';

export function registerHubKeysCommand(hub: Command, cli: CliContext): void {
  hub
    .command('keys')
    .description("create the hub's log signing key if missing, and print the verifier key auditors need")
    .action(async () => {
      const config = cli.config();
      const file = logKeyPath(config);
      if (!existsSync(file)) await createLogKey(file, config.LOG_ORIGIN);
      cli.print(`log key file   ${file}\nverifier key   ${readLogKey(file).verifierKey}\nlog origin     ${config.LOG_ORIGIN}`);
    });
}
