import { DataSource, QueryRunner } from 'typeorm';
import { isServerError } from './database-errors';

/** The one transaction helper. A server error leaves a healthy connection, rolled back and pooled; a client-side one, or a failed rollback, destroys it. */
export async function inTransaction<T>(dataSource: DataSource, opening: readonly string[], work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  let broken: unknown;
  try {
    await runner.connect();
    for (const statement of opening) await runner.query(statement);
    const result = await work(runner);
    await runner.query('COMMIT');
    return result;
  } catch (error) {
    broken = isServerError(error) ? await rollback(runner) : error;
    throw error;
  } finally {
    await release(runner, broken);
  }
}

async function rollback(runner: QueryRunner): Promise<unknown> {
  if (runner.isReleased) return undefined;
  try {
    await runner.query('ROLLBACK');
    return undefined;
  } catch (rollbackError) {
    return rollbackError ?? new Error('rollback failed');
  }
}

async function release(runner: QueryRunner, broken: unknown): Promise<void> {
  if (runner.isReleased) return;
  if (broken) {
    // Hands the error to the pg pool, which then destroys the client instead of reusing it.
    await (runner as QueryRunner & { releasePostgresConnection(error: unknown): Promise<void> }).releasePostgresConnection(broken);
    return;
  }
  await runner.release();
}
