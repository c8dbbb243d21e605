import type { MigrationInterface } from 'typeorm';
import { IndicatorStore1764345600000 } from './1764345600000-indicator-store.js';

/** Every migration, oldest first. Listed explicitly so the same list runs under tsx, tests and the CLI. */
export const migrations: ReadonlyArray<new () => MigrationInterface> = [IndicatorStore1764345600000];
