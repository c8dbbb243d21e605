import type { Config } from '../config/index.js';
import type { Logger } from '../kernel/index.js';

/** What every command gets: config and logger are built lazily, so `--help` needs neither. */
export interface CliContext {
  config(): Readonly<Config>;
  logger(): Logger;
  print(text: string): void;
}
