/**
 * The shapes a tenant read can take on Citus, measured side by side with pgbench through
 * PgBouncer: the same details SELECT as a plain router query (the floor), inside the
 * transactions this project used and uses, and as the tenant function the API calls.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tenantFunctionStatements } from '@app/testing/tenant-predicate';
import { combinePgBench, PgBenchOptions, PgBenchProtocol, PgBenchResult, runPgBench } from './pgbench';
import type { SeededTenant } from './workload';

const MIGRATION = resolve(__dirname, '../../migrations/1764000010000-CreateTenantFunctions.ts');

export interface ShapeResult {
  shape: string;
  roundTrips: number;
  protocol: PgBenchProtocol;
  result: PgBenchResult;
  /** tps / the plain router select's tps. */
  ratio: number;
}

interface Shape {
  name: string;
  roundTrips: number;
  protocol: PgBenchProtocol;
  /** The floor runs as a role that row-level security does not apply to: it has no tenant context, by design. */
  asOwner?: boolean;
  lines: (tenantId: string, select: string) => string[];
}

const SHAPES: Shape[] = [
  {
    name: 'plain router SELECT, autocommit, no row-level security (the floor)',
    roundTrips: 1,
    protocol: 'extended',
    asOwner: true,
    lines: (_tenant, select) => [select],
  },
  {
    name: 'transaction, opening in one string (BEGIN; SET LOCAL x2): warns on the workers',
    roundTrips: 3,
    protocol: 'simple',
    lines: (tenant, select) => [
      `BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY\\; SET LOCAL app.tenant_id = '${tenant}'\\; SET LOCAL statement_timeout = 5000;`,
      select,
      'COMMIT;',
    ],
  },
  {
    name: 'transaction, SET LOCAL alone in its string (the opening of tenant transactions)',
    roundTrips: 4,
    protocol: 'simple',
    lines: (tenant, select) => [
      `BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY\\; SELECT set_config('statement_timeout', '5000', true);`,
      `SET LOCAL app.tenant_id = '${tenant}';`,
      select,
      'COMMIT;',
    ],
  },
  {
    name: 'tenant function, delegated to the worker (what GET /v1/orders/:id sends)',
    roundTrips: 1,
    protocol: 'extended',
    lines: (tenant) => [`SELECT * FROM tenant_order_details('${tenant}', :id);`],
  },
];

/** The details SELECT inside tenant_order_details, with the tenant as a literal and the order id as :id. */
function detailsSelect(tenantId: string): string {
  const statement = tenantFunctionStatements(MIGRATION).find((candidate) => candidate.origin.startsWith('tenant_order_details'));
  if (!statement) throw new Error('tenant_order_details has no SELECT in its migration');
  return `${statement.sql.replace(/\$1\b/g, `'${tenantId}'`).replace(/\$2\b/g, ':id').replace(/\s+/g, ' ').trim()};`;
}

export async function measureShapes(
  directory: string,
  tenants: SeededTenant[],
  pgbench: Omit<PgBenchOptions, 'scripts' | 'protocol' | 'durationSec'>,
  ownerUser: string,
  slices: number,
  sliceSec: number,
): Promise<ShapeResult[]> {
  const scriptsOf = SHAPES.map((shape, shapeIndex) => {
    const folder = join(directory, `shape-${shapeIndex}`);
    mkdirSync(folder, { recursive: true });
    return tenants.map((tenant, index) => {
      const choices = tenant.readOrderIds.map((id, choice) => `WHEN :i = ${choice} THEN ${id}`).join(' ');
      const file = join(folder, `tenant-${index}.sql`);
      const lines = [`\\set i random(0, ${tenant.readOrderIds.length - 1})`, `\\set id CASE ${choices} ELSE ${tenant.readOrderIds[0]} END`];
      writeFileSync(file, [...lines, ...shape.lines(tenant.id, detailsSelect(tenant.id)), ''].join('\n'));
      return file;
    });
  });
  const parts: PgBenchResult[][] = SHAPES.map(() => []);
  for (let slice = 0; slice < slices; slice += 1) {
    for (const [index, shape] of SHAPES.entries()) {
      const user = shape.asOwner ? ownerUser : pgbench.user;
      parts[index].push(await runPgBench({ ...pgbench, user, scripts: scriptsOf[index], protocol: shape.protocol, durationSec: sliceSec }));
    }
  }
  const results = parts.map((part) => combinePgBench(part));
  return SHAPES.map((shape, index) => ({
    shape: shape.name,
    roundTrips: shape.roundTrips,
    protocol: shape.protocol,
    result: results[index],
    ratio: results[index].tps / results[0].tps,
  }));
}
