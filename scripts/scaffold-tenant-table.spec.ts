import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTenantPredicate, tenantStatements } from '@app/testing/tenant-predicate';
import { scaffoldTenantTable } from './scaffold-tenant-table';

describe('npm run scaffold:tenant-table', () => {
  const root = mkdtempSync(join(tmpdir(), 'scaffold-'));
  cpSync(join(__dirname, '../migrations/index.ts'), join(root, 'migrations/index.ts'), { recursive: true });
  const files = scaffoldTenantTable('shipments', root, 1800000000000);

  it('writes a migration that distributes the table with the orders group before its foreign key, under row-level security', () => {
    const migration = readFileSync(files.migration, 'utf8');
    expect(files.migration).toMatch(/migrations\/1800000000000-CreateShipments\.ts$/);
    expect(migration).toContain('PRIMARY KEY (tenant_id, id)');
    expect(migration.indexOf('create_distributed_table')).toBeLessThan(migration.indexOf('FOREIGN KEY (tenant_id, order_id)'));
    expect(migration).toContain("colocate_with => 'orders'");
    expect(migration).toContain('ENABLE ROW LEVEL SECURITY');
    // The policy comes from the one definition of the tenant rule, which fails without a tenant instead of filtering silently.
    expect(migration).toContain("import { tenantPolicyPredicate } from './support/tenant-policy';");
    expect(migration).toContain('USING (${tenantPolicyPredicate()}) WITH CHECK (${tenantPolicyPredicate()})');
    expect(migration).not.toContain('NULLIF(');
  });

  it('registers the migration in migrations/index.ts', () => {
    const index = readFileSync(join(root, 'migrations/index.ts'), 'utf8');
    expect(index).toContain("import { CreateShipments1800000000000 } from './1800000000000-CreateShipments';");
    expect(index).toMatch(/ {2}CreateShipments1800000000000,\n\];/);
  });

  it('writes a repository whose every statement passes the tenant predicate check', async () => {
    const statements = tenantStatements([files.repository], ['shipments']);
    expect(statements).toHaveLength(2);
    for (const statement of statements) expect(await checkTenantPredicate(statement, ['orders', 'shipments'])).toEqual([]);
  });

  it('refuses a name that is not snake_case and a table that exists', () => {
    expect(() => scaffoldTenantTable('Shipments; DROP', root)).toThrow(/snake_case/);
    expect(() => scaffoldTenantTable('shipments', root, 1800000000000)).toThrow(/exists already/);
  });
});
