import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CliError } from './files.js';
import { registerHubKeysCommand } from './hub-keys.js';

// The hub brings TypeORM, Apollo, Express and the database drivers: loaded when it runs, not for help.
const loadHub = (): Promise<typeof import('../hub/index.js')> => import('../hub/index.js');

export function registerHubCommand(program: Command, cli: CliContext): void {
  const hub = program
    .command('hub')
    .description('run the hub: GraphQL API, signed-batch ingest, transparency log (what `npm start` runs)')
    .option('--workers <n>', 'hub processes sharing the port (node cluster; needs DATABASE_URL): a number, or auto for one per CPU', '1')
    .addHelpText('after', '\nSettings come from the environment; see `wildintel config`. Several hubs on one Postgres: docs/scaling.md.')
    .action(async (opts: { workers: string }) => {
      const config = cli.config();
      const logger = cli.logger();
      const workers = parseWorkers(opts.workers);
      const { assertClusterable, onPrimaryGone, runHubCluster, startHub, workerIndex } = await loadHub();
      assertClusterable(config, workers);
      const index = workerIndex();
      if (workers > 1 && index === undefined) {
        process.exitCode = await runHubCluster({ config, logger, workers });
        return;
      }
      const hub = await startHub({ config, logger, ...(index === undefined ? {} : { worker: { index } }) });
      let forgetPrimary = (): void => undefined;
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals | 'disconnect'): void => {
          logger.info({ signal }, 'signal received');
          hub.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        forgetPrimary = onPrimaryGone(() => onSignal('disconnect'));
      });
      // A worker's channel to its primary would keep it alive: close it, and the process ends.
      forgetPrimary();
      if (index !== undefined && process.connected) process.disconnect();
    });
  registerHubKeysCommand(hub, cli);
}

function parseWorkers(text: string): number {
  if (text === 'auto') return availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliError('INVALID_ARGUMENT', `--workers must be a whole number from 1 to 64, or auto (got ${JSON.stringify(text)})`);
  return n;
}
