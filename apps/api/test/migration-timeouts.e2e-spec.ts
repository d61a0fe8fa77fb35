import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { databaseCode, withMigrationTimeouts } from '@app/persistence';
import { testEndpoints, withOwner } from '@app/testing';

/** docs/online-migrations.md: a migration that cannot get its lock gives up instead of queueing the tenants behind itself. */
describe('Migrations run with a lock timeout', () => {
  const ownerUrl = testEndpoints().owner;
  const table = `migration_lock_probe_${process.pid}`;
  let dataSource: DataSource;

  class AddNote implements MigrationInterface {
    name = 'AddNote1';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN note text`);
    }
    async down(): Promise<void> {}
  }

  beforeAll(async () => {
    await withOwner(ownerUrl, (client) => client.query(`CREATE TABLE ${table} (id int)`));
    dataSource = await new DataSource({ type: 'postgres', url: ownerUrl }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await withOwner(ownerUrl, (client) => client.query(`DROP TABLE ${table}`));
  });

  it('keeps the migration as it is named, and gives up with lock_not_available while a transaction holds its table', async () => {
    const Guarded = withMigrationTimeouts(AddNote);
    expect(new Guarded().name).toBe('AddNote1');
    const holder = new Client({ connectionString: ownerUrl });
    await holder.connect();
    const runner = dataSource.createQueryRunner();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${table} IN ACCESS SHARE MODE`);
      await runner.startTransaction();
      const failure = await new Guarded().up(runner).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(databaseCode(failure)).toBe('55P03');
      await runner.rollbackTransaction();
      const [{ setting }] = (await runner.query(`SELECT current_setting('lock_timeout') AS setting`)) as Array<{ setting: string }>;
      expect(setting).toBe('0');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await runner.release();
    }
    // Once the lock is free the same migration goes through.
    const again = dataSource.createQueryRunner();
    await again.startTransaction();
    await new Guarded().up(again);
    await again.commitTransaction();
    await again.release();
  }, 60_000);
});
