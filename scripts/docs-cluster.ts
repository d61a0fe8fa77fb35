import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { examineSchema, formatFindings } from '@app/schema-doctor';

/**
 * `npm run docs:cluster`: regenerates every catalog output and query plan quoted in docs/ from
 * the local Citus cluster (`npm run cluster:up`, with the API's data in it), and every source
 * excerpt from the files themselves. Blocks look like
 *   <!-- cluster: name --> ```text ... ``` <!-- /cluster -->   and   <!-- source: path --> ... <!-- /source -->
 * Nothing between the markers is written by hand.
 */
const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');
const coordinator = `postgres://postgres@127.0.0.1:${process.env.CLUSTER_COORDINATOR_PORT ?? 9700}/app`;
const pooled = `postgres://app_tenant@127.0.0.1:${process.env.CLUSTER_PGBOUNCER_PORT ?? 6432}/app`;

type Generator = (owner: Client, tenant: Client, sample: { tenantId: string; orderId: number; paymentId: number }) => Promise<string>;

const TENANT_TABLES = ['orders', 'order_items', 'payments', 'refunds', 'daily_order_stats'];

const GENERATORS: Partial<Record<string, Generator>> = {
  'citus-tables': (owner) =>
    table(
      owner,
      `SELECT table_name, citus_table_type AS type, distribution_column, colocation_id, shard_count FROM citus_tables ORDER BY colocation_id, table_name::text`,
    ),
  nodes: (owner) =>
    table(
      owner,
      `SELECT n.nodename || ':' || n.nodeport AS node, CASE WHEN n.groupid = 0 THEN 'coordinator' ELSE 'worker' END AS role,
              count(s.shardid) AS shards, pg_size_pretty(coalesce(sum(s.shard_size), 0)) AS size
         FROM pg_dist_node n LEFT JOIN citus_shards s ON s.nodename = n.nodename AND s.nodeport = n.nodeport
        GROUP BY n.nodename, n.nodeport, n.groupid ORDER BY n.groupid`,
    ),
  'foreign-keys': (owner) =>
    table(
      owner,
      `SELECT conrelid::regclass AS "table", conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) ORDER BY 1, 2`,
      [TENANT_TABLES],
    ),
  policies: (owner) =>
    table(owner, `SELECT tablename AS "table", policyname AS policy, roles, cmd, qual FROM pg_policies WHERE tablename = ANY($1) ORDER BY 1, 2`, [
      TENANT_TABLES,
    ]),
  'role-settings': (owner) =>
    table(
      owner,
      `SELECT r.rolname AS role, unnest(s.setconfig) AS setting FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname LIKE 'app_%' ORDER BY 1, 2`,
    ),
  'explain-order-details': (_owner, tenant, sample) =>
    explain(
      tenant,
      sample.tenantId,
      `SELECT o.id, o.status, (SELECT json_agg(i.sku) FROM order_items i WHERE i.tenant_id = '${sample.tenantId}' AND i.order_id = o.id) AS items FROM orders o WHERE o.tenant_id = '${sample.tenantId}' AND o.id = ${sample.orderId}`,
    ),
  'explain-tenant-function': async (_owner, tenant, sample) => {
    // Outside a transaction block, the only place Citus delegates a function call.
    const { rows } = await tenant.query(`EXPLAIN (COSTS OFF) SELECT * FROM tenant_order_details('${sample.tenantId}', ${sample.orderId})`);
    return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  },
  'explain-refund': async (_owner, tenant, sample) =>
    [
      await explain(
        tenant,
        sample.tenantId,
        `UPDATE payments SET refunded_cents = refunded_cents + 1 WHERE tenant_id = '${sample.tenantId}' AND order_id = ${sample.orderId} AND id = ${sample.paymentId} AND refunded_cents + 1 <= amount_cents`,
        { analyze: false },
      ),
      await explain(
        tenant,
        sample.tenantId,
        `INSERT INTO refunds (tenant_id, payment_id, amount_cents) VALUES ('${sample.tenantId}', ${sample.paymentId}, 1)`,
        { analyze: false },
      ),
    ].join('\n\n'),
  'fan-out-refused': (_owner, tenant, sample) =>
    asTenant(tenant, sample.tenantId, () =>
      tenant.query(`SELECT count(*) FROM orders`).then(
        () => 'the query ran: the multi-shard guard is off',
        (error: unknown) => `SELECT count(*) FROM orders;   -- as app_tenant, without tenant_id = ...\nERROR:  ${(error as Error).message}`,
      ),
    ),
  doctor: async (owner) => formatFindings(await examineSchema({ query: async (sql, parameters) => (await owner.query(sql, parameters)).rows })).trim(),
};

async function table(client: Client, sql: string, parameters: unknown[] = []): Promise<string> {
  const { rows, fields } = await client.query(sql, parameters);
  const names = fields.map((field) => field.name);
  const cells = rows.map((row) => names.map((name) => (row[name] === null ? '' : Array.isArray(row[name]) ? `{${row[name].join(',')}}` : String(row[name]))));
  const widths = names.map((name, index) => Math.max(name.length, ...cells.map((row) => row[index].length)));
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]))
      .join(' | ')
      .trimEnd();
  return [line(names), widths.map((width) => '-'.repeat(width)).join('-+-'), ...cells.map(line), `(${rows.length} rows)`].join('\n');
}

/** Runs `work` in a transaction of the tenant, as the API opens them, and rolls it back. */
async function asTenant<T>(tenant: Client, tenantId: string, work: () => Promise<T>): Promise<T> {
  // The SET LOCAL alone in its string, as the API sends it (docs/guide.md, "The tenant statement").
  await tenant.query('BEGIN');
  await tenant.query(`SET LOCAL app.tenant_id = '${tenantId}'`);
  try {
    return await work();
  } finally {
    await tenant.query('ROLLBACK');
  }
}

function explain(tenant: Client, tenantId: string, sql: string, options = { analyze: true }): Promise<string> {
  return asTenant(tenant, tenantId, async () => {
    const { rows } = await tenant.query(`EXPLAIN (${options.analyze ? 'ANALYZE, TIMING OFF, SUMMARY OFF, ' : ''}COSTS OFF) ${sql}`);
    // Shard names and the tenant's values change from cluster to cluster; the plan's shape does not.
    return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  });
}

async function main(): Promise<void> {
  const owner = new Client({ connectionString: coordinator, application_name: 'docs:cluster' });
  const tenant = new Client({ connectionString: pooled, application_name: 'docs:cluster' });
  try {
    await owner.connect();
    await tenant.connect();
  } catch (error) {
    process.stderr.write(`docs:cluster needs the local Citus cluster (npm run cluster:up): ${(error as Error).message}\n`);
    process.exit(2);
  }
  const [sample] = (
    await owner.query(
      `SELECT p.tenant_id AS "tenantId", p.order_id AS "orderId", p.id AS "paymentId" FROM payments p WHERE p.amount_cents > p.refunded_cents ORDER BY p.id DESC LIMIT 1`,
    )
  ).rows;
  if (!sample) {
    process.stderr.write(
      'docs:cluster needs a paid order in the cluster: run the integration suite on it (npm run test:citus) or create one through the API\n',
    );
    process.exit(2);
  }
  let written = 0;
  for (const file of readdirSync(DOCS).filter((name) => name.endsWith('.md'))) {
    const path = join(DOCS, file);
    const before = readFileSync(path, 'utf8');
    let after = before;
    for (const [block, name] of [...before.matchAll(/<!-- cluster: ([\w-]+) -->[\s\S]*?<!-- \/cluster -->/g)]) {
      const generate = GENERATORS[name];
      if (!generate) throw new Error(`${file}: no generator named ${name}`);
      after = after.replace(block, `<!-- cluster: ${name} -->\n\`\`\`text\n${await generate(owner, tenant, sample)}\n\`\`\`\n<!-- /cluster -->`);
    }
    for (const [block, source] of [...before.matchAll(/<!-- source: ([\w./-]+) -->[\s\S]*?<!-- \/source -->/g)]) {
      const text = readFileSync(join(ROOT, source), 'utf8').trimEnd();
      after = after.replace(block, `<!-- source: ${source} -->\n\`\`\`ts\n${text}\n\`\`\`\n<!-- /source -->`);
    }
    if (after !== before) {
      writeFileSync(path, after);
      written += 1;
      process.stdout.write(`wrote ${relative(ROOT, path)}\n`);
    }
  }
  process.stdout.write(`docs:cluster: ${written} file(s) regenerated from ${coordinator.replace(/\/\/[^@]*@/, '//')}\n`);
  await owner.end();
  await tenant.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`docs:cluster failed: ${(error as Error).message}\n`);
  process.exit(1);
});
