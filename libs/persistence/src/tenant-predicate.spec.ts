import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkTenantPredicate, tenantFunctionSettings, tenantFunctionStatements, tenantStatements } from '@app/testing/tenant-predicate';
import { TENANT_TABLES } from './tenant-tables';

/** Every distributed tenant table; the analytics rollup is one too. */
const DISTRIBUTED_TENANT_TABLES = [...TENANT_TABLES, 'daily_order_stats'];

const ROOT = join(__dirname, '../../..');

/** Every product source file: the statements are found in them by what they call, whatever the file or variable is named. */
const PRODUCT_FILES = ['apps', 'libs']
  .flatMap((folder) => readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).map((file) => join(ROOT, folder, file)))
  .filter((file) => /\/src\//.test(file) && file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('.d.ts') && !file.includes('/libs/testing/'))
  .sort();

/** The migrations that define tenant functions (called outside a transaction, one statement each). */
const TENANT_FUNCTION_MIGRATIONS = readdirSync(join(ROOT, 'migrations'))
  .filter((file) => file.endsWith('.ts') && readFileSync(join(ROOT, 'migrations', file), 'utf8').includes('(p_tenant_id uuid'))
  .map((file) => join(ROOT, 'migrations', file));

const sent = tenantStatements(PRODUCT_FILES, TENANT_TABLES);
const statements = [...sent, ...TENANT_FUNCTION_MIGRATIONS.flatMap((file) => tenantFunctionStatements(file))];
const filesSending = [...new Set(sent.map((statement) => statement.origin.split(':')[0]))].sort();
const PREDICATE = /(?:\b\w+\.)?tenant_id = \$1\b/g;

describe('the tenant predicate, read from the repositories and parsed by PostgreSQL', () => {
  it('finds every statement sent for a tenant, by what it calls: tenant transactions and tenant function calls', () => {
    expect(filesSending).toEqual([
      'archive/tenant-export.repository.ts',
      'orders/orders.repository.ts',
      'orders/payments.repository.ts',
      'refunds/refunds.repository.ts',
      'src/usage.repository.ts',
      'tenants/tenant-data.repository.ts',
    ]);
    expect(sent.filter((statement) => statement.kind === 'call').length).toBeGreaterThanOrEqual(5);
    expect(TENANT_FUNCTION_MIGRATIONS.map((file) => relative(ROOT, file))).toEqual([
      'migrations/1764000010000-CreateTenantFunctions.ts',
      'migrations/1764000012000-ReplayRetriedPaymentsAndRefunds.ts',
      'migrations/1764000017000-SeekOrdersPageByCursor.ts',
      'migrations/1764000018000-PlanTenantReadsOnTheirShard.ts',
    ]);
    const functionStatements = statements.filter((statement) => statement.origin.startsWith('tenant_'));
    expect(new Set(functionStatements.map((statement) => statement.origin.split(' ')[0]))).toEqual(
      new Set(['tenant_order_details', 'tenant_orders_page', 'tenant_create_order', 'tenant_capture_payment', 'tenant_refund_payment']),
    );
    expect(functionStatements.length).toBeGreaterThanOrEqual(12);
    expect(statements.length).toBeGreaterThanOrEqual(25);
  });

  it.each(sent.filter((statement) => statement.kind === 'call').map((statement) => [statement.origin, statement] as const))(
    '%s calls a tenant function with the tenant as its tenant argument',
    (_origin, statement) => {
      const called = /^\s*SELECT \* FROM (tenant_\w+)\(\$1\b/.exec(statement.sql);
      expect(called?.[1]).toBeDefined();
      const defined = TENANT_FUNCTION_MIGRATIONS.some((file) =>
        new RegExp(`FUNCTION ${called?.[1] ?? '-'}\\(p_tenant_id uuid`).test(readFileSync(file, 'utf8')),
      );
      expect(defined).toBe(true);
    },
  );

  it.each(TENANT_FUNCTION_MIGRATIONS.flatMap((file) => tenantFunctionSettings(file)).map((setting) => [setting.origin, setting] as const))(
    '%s sets the tenant to its own tenant argument',
    (_origin, setting) => {
      expect(setting.setsTenantArgument).toBe(true);
    },
  );

  it('catches a tenant function that sets the tenant from another argument', () => {
    const file = tenantFunctionFile("PERFORM set_config('app.tenant_id', p_other::text, true);");
    expect(tenantFunctionSettings(file)).toEqual([{ origin: expect.stringContaining('tenant_x'), setsTenantArgument: false }]);
  });

  it('reads a statement formatted with the tenant as the same statement with the tenant as $1', async () => {
    const file = tenantFunctionFile(
      'EXECUTE format($q$ SELECT id FROM orders o WHERE o.tenant_id = %L AND o.id = $1 $q$, p_tenant_id) INTO v_id USING p_order_id;',
    );
    const [statement] = tenantFunctionStatements(file);
    expect(statement.sql.trim()).toBe('SELECT id FROM orders o WHERE o.tenant_id = $1 AND o.id = $2');
    expect(await checkTenantPredicate(statement, DISTRIBUTED_TENANT_TABLES)).toEqual([]);
    const unpinned = tenantFunctionFile('EXECUTE format($q$ SELECT id FROM orders o WHERE o.id = $1 AND %L IS NOT NULL $q$, p_tenant_id);');
    expect((await checkTenantPredicate(tenantFunctionStatements(unpinned)[0], DISTRIBUTED_TENANT_TABLES)).length).toBeGreaterThan(0);
  });

  it.each([
    ['another argument formatted in', 'EXECUTE format($q$ SELECT id FROM orders WHERE tenant_id = %L $q$, p_other);'],
    ['a placeholder other than %L', 'EXECUTE format($q$ SELECT id FROM %I WHERE tenant_id = %L $q$, p_tenant_id, p_tenant_id);'],
    ['a statement that is not a format string', 'EXECUTE v_sql USING p_tenant_id;'],
  ])('refuses to read a dynamic statement with %s', (_name, statement) => {
    expect(() => tenantFunctionStatements(tenantFunctionFile(statement))).toThrow(/tenant_x/);
  });

  it.each(statements.map((statement) => [statement.origin, statement] as const))('%s pins every tenant table to the tenant', async (_origin, statement) => {
    expect(await checkTenantPredicate(statement, DISTRIBUTED_TENANT_TABLES)).toEqual([]);
  });

  it.each(statements.map((statement) => [statement.origin, statement] as const))(
    '%s fails the check with any one tenant predicate removed',
    async (_origin, statement) => {
      const occurrences = [...statement.sql.matchAll(PREDICATE)];
      for (const occurrence of occurrences) {
        const sql = `${statement.sql.slice(0, occurrence.index)}TRUE${statement.sql.slice(occurrence.index + occurrence[0].length)}`;
        const violations = await checkTenantPredicate({ ...statement, sql }, DISTRIBUTED_TENANT_TABLES);
        expect({ removed: occurrence[0], at: occurrence.index, violations: violations.length > 0 }).toEqual({
          removed: occurrence[0],
          at: occurrence.index,
          violations: true,
        });
      }
      if (occurrences.length === 0 && /^\s*INSERT/i.test(statement.sql)) {
        // Without the tenant parameter an INSERT sets tenant_id to something else.
        const violations = await checkTenantPredicate({ ...statement, tenantParameter: undefined }, DISTRIBUTED_TENANT_TABLES);
        expect(violations.length).toBeGreaterThan(0);
      }
    },
  );

  it.each([
    ['a select without the predicate', 'SELECT id FROM orders WHERE id = $2'],
    ['a predicate on another parameter', 'SELECT id FROM orders WHERE tenant_id = $2'],
    ['an OR that lets other tenants in', 'SELECT id FROM orders WHERE tenant_id = $1 OR id = $2'],
    ['a join whose second table is not tied to the tenant', 'SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.tenant_id = $1'],
    ['a subquery without the predicate', 'SELECT id FROM orders WHERE tenant_id = $1 AND id IN (SELECT order_id FROM payments)'],
    ['an update without the predicate', 'UPDATE orders SET note = $2 WHERE id = $3'],
    ['a delete in a CTE without the predicate', 'WITH gone AS (DELETE FROM payments WHERE id = $2 RETURNING 1) SELECT count(*) FROM gone'],
    ['an insert that does not set tenant_id', 'INSERT INTO orders (id, note) VALUES ($2, $3)'],
    ['an insert that sets another tenant', 'INSERT INTO orders (tenant_id, note) VALUES ($2, $3)'],
  ])('catches %s', async (_name, sql) => {
    expect((await checkTenantPredicate({ origin: 'case', sql, tenantParameter: 1 }, DISTRIBUTED_TENANT_TABLES)).length).toBeGreaterThan(0);
  });

  it('accepts a join pinned through tenant_id equality and a correlated subquery', async () => {
    const sql = `SELECT o.id, (SELECT count(*) FROM payments p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id)
                   FROM orders o JOIN order_items i ON i.tenant_id = o.tenant_id AND i.order_id = o.id WHERE o.tenant_id = $1`;
    expect(await checkTenantPredicate({ origin: 'case', sql, tenantParameter: 1 }, DISTRIBUTED_TENANT_TABLES)).toEqual([]);
  });
});

let tenantFunctionFiles = 0;

/** A migration-like file defining tenant_x(p_tenant_id, p_order_id, p_other) whose body is the given statements. */
function tenantFunctionFile(statement: string): string {
  tenantFunctionFiles += 1;
  const file = join(tmpdir(), `tenant-function-${process.pid}-${tenantFunctionFiles}.ts`);
  writeFileSync(
    file,
    `CREATE FUNCTION tenant_x(p_tenant_id uuid, p_order_id bigint, p_other uuid) RETURNS void LANGUAGE plpgsql AS $$ BEGIN ${statement} END $$`,
  );
  return file;
}
