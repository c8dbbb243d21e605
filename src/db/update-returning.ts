import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of an `UPDATE … RETURNING` or `DELETE … RETURNING`. TypeORM's postgres driver answers
 * those statements with `[rows, rowCount]` rather than the rows (PostgresQueryRunner.query),
 * which reads like two rows if taken at face value.
 */
export async function updateReturning<T>(db: Pick<DataSource | EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
