import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { logKeyPath } from '../config/index.js';
import type { CliContext } from './context.js';

export function registerHubKeysCommand(hub: Command, cli: CliContext): void {
  hub
    .command('keys')
    .description("create the hub's log signing key if missing, and print the verifier key auditors need")
    .action(async () => {
      const config = cli.config();
      // The key file alone, not the hub: this answers in a fraction of the hub's start-up.
      const { createLogKey, readLogKey } = await import('../hub/log-key/index.js');
      const file = logKeyPath(config);
      if (!existsSync(file)) await createLogKey(file, config.LOG_ORIGIN);
      // The key names the origin it was made for (the hub's, when the hub made it): that is the
      // origin its checkpoints carry, whatever this shell's HUB_ORIGIN defaults to.
      const key = readLogKey(file);
      const differs = key.name === config.LOG_ORIGIN ? '' : `\nnote           this shell's LOG_ORIGIN is ${config.LOG_ORIGIN}: set HUB_ORIGIN (or LOG_ORIGIN) as the hub has it`;
      cli.print(`log key file   ${file}\nverifier key   ${key.verifierKey}\nlog origin     ${key.name}${differs}`);
    });
}
