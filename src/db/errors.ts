import { WildintelError } from '../kernel/index.js';

export type DatabaseErrorCode = 'DATABASE_UNREACHABLE' | 'DATABASE_IN_USE' | 'MIGRATIONS_PENDING';

export class DatabaseError extends WildintelError<DatabaseErrorCode> {}
