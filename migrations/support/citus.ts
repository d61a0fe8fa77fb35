import { QueryRunner } from 'typeorm';

export async function hasCitus(queryRunner: QueryRunner): Promise<boolean> {
  const rows = (await queryRunner.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`)) as unknown[];
  return rows.length > 0;
}

export async function whenCitus(queryRunner: QueryRunner, statements: string[]): Promise<void> {
  if (!(await hasCitus(queryRunner))) return;
  for (const statement of statements) {
    await queryRunner.query(statement);
  }
}

/** After create_distributed_table creates shards in parallel, a CREATE TYPE or a foreign key to a reference table in the same transaction fails. */
export async function useSequentialShardModifications(queryRunner: QueryRunner): Promise<void> {
  await whenCitus(queryRunner, [`SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`]);
}

/** CREATE ROLE has no IF NOT EXISTS; roles are cluster-wide and may exist from another database. */
export async function ensureRole(queryRunner: QueryRunner, role: string): Promise<void> {
  await queryRunner.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} LOGIN;
      END IF;
    END
    $$`);
}
