import { WildintelError } from '../kernel/index.js';

export type DatabaseErrorCode = 'DATABASE_UNREACHABLE' | 'DATABASE_IN_USE' | 'MIGRATIONS_PENDING' | 'INVALID_REPLICA';

export class DatabaseError extends WildintelError<DatabaseErrorCode> {}
