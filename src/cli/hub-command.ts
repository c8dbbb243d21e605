import type { Command } from 'commander';
import { startHub } from '../hub/index.js';
import type { CliContext } from './context.js';
import { registerHubKeysCommand } from './hub-keys.js';

export function registerHubCommand(program: Command, cli: CliContext): void {
  const hub = program
    .command('hub')
    .description('run the hub: GraphQL API, signed-batch ingest, transparency log (what `npm start` runs)')
    .addHelpText('after', '\nSettings come from the environment; see `wildintel config`.')
    .action(async () => {
      const config = cli.config();
      const logger = cli.logger().child({ service: 'hub' });
      const hub = await startHub({ config, logger: cli.logger() });
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'signal received');
          hub.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
    });
  registerHubKeysCommand(hub, cli);
}
