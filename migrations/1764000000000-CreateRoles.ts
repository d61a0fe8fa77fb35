import { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureRole, whenCitus } from './support/citus';

/** No app role owns a table, so row-level security applies to every one of them; passwords are set outside the migrations. */
export class CreateRoles1764000000000 implements MigrationInterface {
  name = 'CreateRoles1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const role of ['app_tenant', 'app_control', 'app_analytics']) {
      await ensureRole(queryRunner, role);
    }
    const [{ name: database }] = (await queryRunner.query(`SELECT current_database() AS name`)) as Array<{ name: string }>;
    await queryRunner.query(`GRANT CONNECT ON DATABASE "${database}" TO app_tenant, app_control, app_analytics`);
    // Readiness probes compare the applied migrations with the ones the build knows.
    await queryRunner.query(`GRANT SELECT ON schema_migrations TO app_control, app_analytics`);

    // A stuck statement or an abandoned transaction must not hold a pooled connection.
    await queryRunner.query(`ALTER ROLE app_tenant SET statement_timeout = '5s'`);
    await queryRunner.query(`ALTER ROLE app_tenant SET idle_in_transaction_session_timeout = '10s'`);
    await queryRunner.query(`ALTER ROLE app_control SET statement_timeout = '5s'`);
    await queryRunner.query(`ALTER ROLE app_control SET idle_in_transaction_session_timeout = '10s'`);
    await queryRunner.query(`ALTER ROLE app_analytics SET statement_timeout = '15s'`);
    await queryRunner.query(`ALTER ROLE app_analytics SET default_transaction_read_only = on`);

    await whenCitus(queryRunner, [
      // SET LOCAL app.tenant_id reaches the workers only when this is already in force for the session.
      `ALTER ROLE app_tenant SET citus.propagate_set_commands = 'local'`,
      // Fail closed: any multi-shard query of the tenant API errors instead of fanning out.
      `ALTER ROLE app_tenant SET citus.multi_task_query_log_level = 'error'`,
      // A lost worker must turn into a fast 503, not a 30 second hang.
      `ALTER ROLE app_tenant SET citus.node_connection_timeout = 1500`,
      `ALTER ROLE app_analytics SET citus.node_connection_timeout = 1500`,
    ]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Roles are shared by every database of the server: only the per-role settings are reset.
    for (const role of ['app_tenant', 'app_control', 'app_analytics']) {
      await queryRunner.query(`ALTER ROLE ${role} RESET ALL`);
    }
  }
}
