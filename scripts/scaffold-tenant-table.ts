import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `npm run scaffold:tenant-table -- <name> [--root <dir>]`: the migration, repository and test
 * skeleton of a new tenant table, as docs/adding-a-tenant-table.md describes them. The table is
 * distributed with the orders colocation group, keyed by (tenant_id, id), under row-level
 * security; the repository's statements pin it to the tenant.
 */
export interface ScaffoldedFiles {
  migration: string;
  repository: string;
  test: string;
}

const NAME = /^[a-z][a-z0-9_]{1,40}$/;

const pascal = (name: string) => name.replace(/(^|_)([a-z0-9])/g, (_match, _separator, letter: string) => letter.toUpperCase());

export function scaffoldTenantTable(name: string, root: string, timestamp = Date.now()): ScaffoldedFiles {
  if (!NAME.test(name)) throw new Error(`table name must be snake_case letters and digits: ${name}`);
  const className = `Create${pascal(name)}${timestamp}`;
  const files = {
    migration: join(root, 'migrations', `${timestamp}-Create${pascal(name)}.ts`),
    repository: join(root, 'apps/api/src', name.replace(/_/g, '-'), `${name.replace(/_/g, '-')}.repository.ts`),
    test: join(root, 'apps/api/test', `${name.replace(/_/g, '-')}.e2e-spec.ts`),
  };
  for (const file of Object.values(files)) {
    if (existsSync(file)) throw new Error(`${relative(root, file)} exists already`);
  }
  const write = (file: string, text: string) => {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  };

  write(
    files.migration,
    `import { MigrationInterface, QueryRunner } from 'typeorm';
import { useSequentialShardModifications, whenCitus } from './support/citus';
import { tenantPolicyPredicate } from './support/tenant-policy';

/** ${name}: a tenant table in the orders colocation group (docs/adding-a-tenant-table.md). */
export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await useSequentialShardModifications(queryRunner);
    await queryRunner.query(\`
      CREATE TABLE ${name} (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        order_id bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )\`);
    await whenCitus(queryRunner, [\`SELECT create_distributed_table('${name}', 'tenant_id', colocate_with => 'orders')\`]);
    await queryRunner.query(\`
      ALTER TABLE ${name} ADD CONSTRAINT ${name}_order_fkey
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE\`);
    await queryRunner.query(\`CREATE INDEX ${name}_by_order ON ${name} (tenant_id, order_id, id)\`);
    await queryRunner.query(\`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY\`);
    await queryRunner.query(\`
      CREATE POLICY ${name}_tenant_isolation ON ${name} TO app_tenant
        USING (\${tenantPolicyPredicate()}) WITH CHECK (\${tenantPolicyPredicate()})\`);
    await queryRunner.query(\`CREATE POLICY ${name}_analytics_read ON ${name} FOR SELECT TO app_analytics USING (true)\`);
    await queryRunner.query(\`GRANT SELECT, INSERT, UPDATE, DELETE ON ${name} TO app_tenant\`);
    await queryRunner.query(\`GRANT SELECT ON ${name} TO app_analytics\`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`DROP TABLE ${name}\`);
  }
}
`,
  );

  write(
    files.repository,
    `import { Injectable } from '@nestjs/common';
import { TenantTransaction } from '@app/persistence';

export interface ${pascal(name)}Record {
  id: number;
  orderId: number;
  createdAt: Date;
}

const COLUMNS = \`id, order_id AS "orderId", created_at AS "createdAt"\`;

/** ${name} of the tenant's orders; every statement is pinned to the tenant (tenant_id = $1). */
@Injectable()
export class ${pascal(name)}Repository {
  async insert(tx: TenantTransaction, orderId: number): Promise<${pascal(name)}Record> {
    const rows = await tx.query<${pascal(name)}Record>(
      \`INSERT INTO ${name} (tenant_id, order_id) VALUES ($1, $2) RETURNING \${COLUMNS}\`,
      [tx.tenantId, orderId],
    );
    return rows[0];
  }

  listByOrder(tx: TenantTransaction, orderId: number): Promise<${pascal(name)}Record[]> {
    return tx.query<${pascal(name)}Record>(\`SELECT \${COLUMNS} FROM ${name} WHERE tenant_id = $1 AND order_id = $2 ORDER BY id\`, [tx.tenantId, orderId]);
  }
}
`,
  );

  write(
    files.test,
    `import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

// Skeleton from npm run scaffold:tenant-table: add the routes' own tests here.
describe('${name}', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('keeps the schema doctor clean', async () => {
    const response = await request(api.server).get('/admin/schema-check').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    expect(response.body.findings).toEqual([]);
  });

  it('has its rows removed with their tenant', async () => {
    const tenant = await createTenant(api.server);
    await createOrder(api.server, tenant);
    await request(api.server).delete(\`/admin/tenants/\${tenant.id}\`).set(bearer(TEST_ADMIN_TOKEN)).expect(204);
  });
});
`,
  );

  const index = join(root, 'migrations/index.ts');
  if (existsSync(index)) {
    const text = readFileSync(index, 'utf8');
    const lastImport = text.lastIndexOf('\nimport ') + 1;
    const afterImports = text.indexOf('\n', lastImport) + 1;
    const importLine = `import { ${className} } from './${timestamp}-Create${pascal(name)}';\n`;
    const withImport = `${text.slice(0, afterImports)}${importLine}${text.slice(afterImports)}`;
    writeFileSync(index, withImport.replace(/\n\];/, `\n  ${className},\n];`));
  }
  return files;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const rootFlag = args.indexOf('--root');
  const root = rootFlag >= 0 ? args[rootFlag + 1] : join(__dirname, '..');
  const name = args.find((arg, index) => !arg.startsWith('--') && index !== rootFlag + 1);
  if (!name) {
    process.stderr.write('usage: npm run scaffold:tenant-table -- <snake_case_name> [--root <dir>]\n');
    process.exit(2);
  }
  try {
    const files = scaffoldTenantTable(name, root);
    process.stdout.write(
      `${Object.values(files)
        .map((file) => `wrote ${relative(root, file)}`)
        .join('\n')}\nand added the migration to migrations/index.ts; next: docs/adding-a-tenant-table.md, steps 3 and 4\n`,
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
