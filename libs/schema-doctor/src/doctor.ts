import { tenantPolicyPredicate } from '@migrations/support/tenant-policy';

/** Checks a database against the multi-tenant pattern: what is wrong, where, and the fix (docs/guide.md, "The schema doctor"). */
export type Severity = 'error' | 'warning';

export interface Finding {
  check: string;
  severity: Severity;
  object: string;
  message: string;
  fix: string;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<Row[]>;
}

export interface DoctorOptions {
  schema?: string;
  tenantColumn?: string;
  tenantSetting?: string;
  minShardCount?: number;
  skewMinBytes?: number;
  cardinalityMinRows?: number;
}

/** Tables whose comment starts with this are control plane: local on purpose, even with a tenant column. */
export const CONTROL_PLANE_MARKER = 'control plane';

interface Table {
  name: string;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  hasTenantColumn: boolean;
  controlPlane: boolean;
  tenantType: string | null;
}

export async function examineSchema(db: Queryable, options: DoctorOptions = {}): Promise<Finding[]> {
  const schema = options.schema ?? 'public';
  const column = options.tenantColumn ?? 'tenant_id';
  const setting = options.tenantSetting ?? 'app.tenant_id';
  const findings: Finding[] = [];
  const add = (check: string, severity: Severity, object: string, message: string, fix: string) => findings.push({ check, severity, object, message, fix });

  const tables = await db.query<Table>(
    `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS "rlsEnabled", c.relforcerowsecurity AS "rlsForced",
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped) AS "hasTenantColumn",
            (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped) AS "tenantType",
            coalesce(obj_description(c.oid, 'pg_class') ILIKE $3 || '%', false) AS "controlPlane"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    [schema, column, CONTROL_PLANE_MARKER],
  );
  const tenantTables = tables.filter((table) => table.hasTenantColumn && !table.controlPlane);
  const tenantNames = tenantTables.map((table) => table.name);
  const qualified = (name: string) => (schema === 'public' ? name : `${schema}.${name}`);
  const tenantType = tenantTables[0]?.tenantType ?? 'uuid';

  // Keys: every primary key and unique constraint or index leads to one tenant.
  const keys = await db.query<{ table: string; name: string; kind: 'p' | 'u'; hasColumn: boolean; firstColumn: string | null }>(
    `SELECT c.relname AS "table", i.relname AS name, CASE WHEN x.indisprimary THEN 'p' ELSE 'u' END AS kind,
            EXISTS (SELECT 1 FROM unnest(x.indkey) k JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k WHERE a.attname = $2) AS "hasColumn",
            (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = x.indkey[0]) AS "firstColumn"
       FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($3) AND (x.indisprimary OR x.indisunique)`,
    [schema, column, tenantNames],
  );
  for (const table of tenantTables) {
    const own = keys.filter((key) => key.table === table.name);
    if (!own.some((key) => key.kind === 'p')) {
      add('primary_key_missing', 'error', qualified(table.name), 'has no primary key', `ALTER TABLE ${table.name} ADD PRIMARY KEY (${column}, id)`);
    }
    for (const key of own.filter((candidate) => !candidate.hasColumn)) {
      const [check, what] = key.kind === 'p' ? ['primary_key_without_tenant', 'primary key'] : ['unique_without_tenant', 'unique constraint or index'];
      add(
        check,
        'error',
        `${qualified(table.name)}.${key.name}`,
        `${what} does not include ${column}: it cannot be enforced per shard and lets one tenant's value block another's`,
        `recreate it as (${column}, ...)`,
      );
    }
  }

  const indexes = await db.query<{ table: string }>(
    `SELECT DISTINCT c.relname AS "table" FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
      WHERE n.nspname = $1 AND a.attname = $2`,
    [schema, column],
  );
  for (const table of tenantTables.filter((candidate) => !indexes.some((index) => index.table === candidate.name))) {
    add(
      'no_tenant_index',
      'warning',
      qualified(table.name),
      `no index leads with ${column}: every tenant query scans the table`,
      `CREATE INDEX ON ${table.name} (${column}, ...)`,
    );
  }

  // Foreign keys between tenant tables carry the tenant column in the same position on both sides.
  const foreignKeys = await db.query<{ table: string; name: string; target: string; aligned: boolean; includesColumn: boolean; nullsTenant: boolean }>(
    `SELECT c.relname AS "table", k.conname AS name, t.relname AS target,
            EXISTS (SELECT 1 FROM generate_subscripts(k.conkey, 1) i
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[i]
                     JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[i]
                    WHERE a.attname = $2 AND b.attname = $2) AS aligned,
            EXISTS (SELECT 1 FROM unnest(k.conkey) key JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key WHERE a.attname = $2) AS "includesColumn",
            (k.confdeltype IN ('n', 'd') OR k.confupdtype IN ('n', 'd'))
              AND (k.confdelsetcols IS NULL OR EXISTS (SELECT 1 FROM unnest(k.confdelsetcols) s JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = s WHERE a.attname = $2)) AS "nullsTenant"
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class t ON t.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1 AND c.relname = ANY($3)`,
    [schema, column, tenantNames],
  );
  for (const key of foreignKeys) {
    const object = `${qualified(key.table)}.${key.name}`;
    if (tenantNames.includes(key.target) && !key.aligned) {
      add(
        'foreign_key_without_tenant',
        'error',
        object,
        `references ${key.target} without ${column} on both sides: it crosses tenants and cannot stay inside one shard group`,
        `FOREIGN KEY (${column}, ...) REFERENCES ${key.target} (${column}, ...)`,
      );
    }
    if (key.includesColumn && key.nullsTenant) {
      add(
        'foreign_key_nulls_tenant',
        'error',
        object,
        `ON DELETE/UPDATE SET NULL or SET DEFAULT would rewrite ${column}`,
        'use CASCADE or RESTRICT, or SET NULL (other_column) with a column list',
      );
    }
  }

  // Isolation: row-level security on every tenant table, read from the tenant setting.
  const rule = tenantPolicyPredicate(column, setting, tenantType);
  const policies = await db.query<{ table: string; name: string; command: string; roles: string[]; readsSetting: boolean; silent: boolean; writers: boolean }>(
    `SELECT p.tablename AS "table", p.policyname AS name, p.cmd AS command, p.roles::text[] AS roles,
            (coalesce(p.qual, '') || coalesce(p.with_check, '')) LIKE '%' || $2 || '%' AS "readsSetting",
            (coalesce(p.qual, '') || coalesce(p.with_check, '')) LIKE '%current_setting(''' || $2 || '''::text, true)%'
              AND (coalesce(p.qual, '') || coalesce(p.with_check, '')) NOT ILIKE '%coalesce(%' AS silent,
            EXISTS (SELECT 1 FROM unnest(p.roles::text[]) r
                     WHERE r = 'public' OR has_table_privilege(r, format('%I.%I', p.schemaname, p.tablename), 'INSERT, UPDATE, DELETE')) AS writers
       FROM pg_policies p WHERE p.schemaname = $1 AND p.tablename = ANY($3)`,
    [schema, setting, tenantNames],
  );
  const runtimeRoles = [...new Set(policies.flatMap((policy) => policy.roles).filter((role) => role !== 'public'))];
  for (const table of tenantTables) {
    if (!table.rlsEnabled) {
      add(
        'rls_disabled',
        'error',
        qualified(table.name),
        'row-level security is not enabled: a query that forgets its tenant predicate sees every tenant',
        `ALTER TABLE ${table.name} ENABLE ROW LEVEL SECURITY and a policy on ${setting}`,
      );
    } else if (!table.rlsForced && runtimeRoles.includes(table.owner)) {
      add(
        'rls_not_forced',
        'error',
        qualified(table.name),
        `row-level security is not forced and its owner ${table.owner} connects at run time: the owner bypasses it`,
        `ALTER TABLE ${table.name} FORCE ROW LEVEL SECURITY, or run the application as a role that owns nothing`,
      );
    }
    if (table.rlsEnabled && !policies.some((policy) => policy.table === table.name && policy.readsSetting)) {
      add(
        'no_tenant_policy',
        'error',
        qualified(table.name),
        `no policy reads ${setting}: row-level security denies everything or allows everything`,
        `CREATE POLICY ... USING (${rule}) WITH CHECK (${rule})`,
      );
    }
  }
  for (const policy of policies.filter((candidate) => candidate.silent)) {
    add(
      'silent_tenant_policy',
      'error',
      `${qualified(policy.table)}.${policy.name}`,
      `without ${setting} the policy filters to nothing instead of failing: a statement that lost its tenant (a call Citus did not delegate, a missing SET LOCAL) answers "no rows" and hides the bug`,
      `ALTER POLICY ${policy.name} ON ${policy.table} USING (${rule}) WITH CHECK (${rule})`,
    );
  }
  for (const policy of policies.filter((candidate) => !candidate.readsSetting && (candidate.command !== 'SELECT' || candidate.writers))) {
    add(
      'policy_ignores_tenant',
      'error',
      `${qualified(policy.table)}.${policy.name}`,
      `policy for ${policy.roles.join(', ')} does not read ${setting}: those roles see or write other tenants' rows`,
      `USING (${rule}); cross-tenant readers get SELECT-only policies and no write privileges`,
    );
  }

  const roles = await db.query<{ name: string; superuser: boolean; bypassRls: boolean; owns: number }>(
    `SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS "bypassRls",
            (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relowner = r.oid AND n.nspname = $1 AND c.relkind IN ('r', 'p')) AS owns
       FROM pg_roles r WHERE r.rolname = ANY($2)`,
    [schema, runtimeRoles],
  );
  for (const role of roles) {
    if (role.superuser)
      add(
        'runtime_role_superuser',
        'error',
        `role ${role.name}`,
        'a runtime role is a superuser: row-level security does not apply to it',
        `ALTER ROLE ${role.name} NOSUPERUSER`,
      );
    if (role.bypassRls) add('runtime_role_bypassrls', 'error', `role ${role.name}`, 'a runtime role has BYPASSRLS', `ALTER ROLE ${role.name} NOBYPASSRLS`);
    if (role.owns > 0)
      add(
        'runtime_role_owns_tables',
        'error',
        `role ${role.name}`,
        `a runtime role owns ${role.owns} table(s): owners bypass row-level security`,
        'give the tables to a migration role that the application never connects as',
      );
  }

  const citus = (await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`)).length > 0;
  await examineTenantFunctions(db, { schema, setting, citus, anchor: tenantNames.includes('orders') ? 'orders' : tenantNames[0], add });
  if (citus) await examineCitus(db, { schema, column, options, tenantTables, tables, policies, add, qualified });
  return findings.sort((a, b) =>
    a.severity === b.severity ? a.check.localeCompare(b.check) || a.object.localeCompare(b.object) : a.severity === 'error' ? -1 : 1,
  );
}

/**
 * Tenant functions: those that set the tenant setting. They run as their caller (a SECURITY DEFINER function would run as its owner,
 * past row-level security), pin their search_path, and on Citus are distributed by their tenant argument with the tenant tables.
 */
async function examineTenantFunctions(
  db: Queryable,
  context: { schema: string; setting: string; citus: boolean; anchor: string | undefined; add: CitusContext['add'] },
): Promise<void> {
  const { schema, setting, citus, anchor, add } = context;
  const functions = await db.query<{
    name: string;
    signature: string;
    securityDefiner: boolean;
    pinnedPath: boolean;
    tenantArgument: number | null;
    distributed: boolean;
    distributionArgument: number | null;
    colocated: boolean;
  }>(
    `SELECT p.proname AS name, format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)) AS signature, p.prosecdef AS "securityDefiner",
            coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false) AS "pinnedPath",
            (SELECT i - 1 FROM generate_subscripts(p.proargnames, 1) i WHERE p.proargnames[i] ~ 'tenant' ORDER BY i LIMIT 1) AS "tenantArgument",
            ${citus ? `d.distribution_argument_index IS NOT NULL` : 'false'} AS distributed,
            ${citus ? 'd.distribution_argument_index' : 'NULL::int'} AS "distributionArgument",
            ${citus ? `d.colocationid IS NOT DISTINCT FROM (SELECT colocation_id FROM citus_tables WHERE table_name::text = $3)` : 'false'} AS colocated
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       ${citus ? `LEFT JOIN pg_dist_object d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid` : ''}
      WHERE n.nspname = $1 AND p.prosrc LIKE '%set_config(''' || $2 || '''%'
      ORDER BY p.proname`,
    citus ? [schema, setting, anchor ?? ''] : [schema, setting],
  );
  for (const fn of functions) {
    if (fn.securityDefiner) {
      add(
        'tenant_function_security_definer',
        'error',
        fn.signature,
        'SECURITY DEFINER: it runs as its owner, whom row-level security does not bind',
        `ALTER FUNCTION ${fn.signature} SECURITY INVOKER`,
      );
    }
    if (!fn.pinnedPath) {
      add(
        'tenant_function_search_path',
        'warning',
        fn.signature,
        "its search_path is the caller's: a table of the same name earlier on that path would be used instead",
        `ALTER FUNCTION ${fn.signature} SET search_path = ${schema}, pg_catalog`,
      );
    }
    if (!citus) continue;
    if (!fn.distributed) {
      add(
        'tenant_function_not_distributed',
        'error',
        fn.signature,
        'not distributed: every call runs on the coordinator and its set_config never reaches the workers',
        `SELECT create_distributed_function('${fn.signature}', '$${(fn.tenantArgument ?? 0) + 1}', colocate_with => '${anchor ?? 'orders'}')`,
      );
    } else if (fn.distributionArgument !== fn.tenantArgument) {
      add(
        'tenant_function_wrong_argument',
        'error',
        fn.signature,
        `distributed on argument ${String(fn.distributionArgument)}, not on the tenant (argument ${String(fn.tenantArgument)}): calls go to another tenant's worker`,
        `SELECT create_distributed_function('${fn.signature}', '$${(fn.tenantArgument ?? 0) + 1}', colocate_with => '${anchor ?? 'orders'}')`,
      );
    } else if (!fn.colocated) {
      add(
        'tenant_function_not_colocated',
        'error',
        fn.signature,
        'not colocated with the tenant tables: a delegated call lands on a worker that may not hold the tenant',
        `SELECT create_distributed_function('${fn.signature}', '$${(fn.tenantArgument ?? 0) + 1}', colocate_with => '${anchor ?? 'orders'}')`,
      );
    }
  }
}

interface CitusContext {
  schema: string;
  column: string;
  options: DoctorOptions;
  tenantTables: Table[];
  tables: Table[];
  policies: Array<{ roles: string[]; readsSetting: boolean; writers: boolean }>;
  add: (check: string, severity: Severity, object: string, message: string, fix: string) => void;
  qualified: (name: string) => string;
}

async function examineCitus(db: Queryable, context: CitusContext): Promise<void> {
  const { schema, column, options, tenantTables, tables, add, qualified } = context;
  const distribution = await db.query<{
    name: string;
    method: string;
    column: string | null;
    colocationId: number;
    shards: number;
    bytes: number;
    reference: boolean;
  }>(
    `SELECT c.relname AS name, p.partmethod AS method, column_to_column_name(p.logicalrelid, p.partkey) AS column,
            p.colocationid AS "colocationId", (SELECT count(*)::int FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid) AS shards,
            coalesce((SELECT sum(shard_size)::bigint FROM citus_shards cs WHERE cs.table_name = p.logicalrelid), 0) AS bytes,
            p.repmodel = 't' AS reference
       FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1`,
    [schema],
  );
  const byName = new Map(distribution.map((row) => [row.name, row]));
  const distributedTenantTables = tenantTables.flatMap((table) => {
    const placement = byName.get(table.name);
    return placement?.method === 'h' ? [placement] : [];
  });
  for (const table of tenantTables) {
    const placement = byName.get(table.name);
    if (!placement || placement.method !== 'h') {
      add(
        'tenant_table_not_distributed',
        'error',
        qualified(table.name),
        `has ${column} but is ${placement?.reference ? 'a reference table' : 'local to the coordinator'}: its tenant's queries cannot be routed to one worker`,
        `SELECT create_distributed_table('${table.name}', '${column}', colocate_with => '<the tenant group>')`,
      );
    } else if (placement.column !== column) {
      add(
        'distributed_on_other_column',
        'error',
        qualified(table.name),
        `is distributed on ${placement.column}, not ${column}: a tenant's rows spread over every shard`,
        `SELECT alter_distributed_table('${table.name}', distribution_column => '${column}')`,
      );
    }
  }
  const groups = new Map<number, string[]>();
  for (const table of distributedTenantTables) {
    groups.set(table.colocationId, [...(groups.get(table.colocationId) ?? []), table.name]);
  }
  if (groups.size > 1) {
    const [main] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
    for (const [id, names] of groups) {
      if (id === main[0]) continue;
      for (const name of names)
        add(
          'tenant_tables_not_colocated',
          'error',
          qualified(name),
          `is in colocation group ${id}, not with ${main[1].join(', ')} (group ${main[0]}): joins between them leave the worker`,
          `SELECT alter_distributed_table('${name}', colocate_with => '${main[1][0]}')`,
        );
    }
  }
  const minShards = options.minShardCount ?? 32;
  const reportedGroups = new Set<number>();
  for (const row of distribution.filter((candidate) => candidate.method === 'h')) {
    if (row.shards < minShards && !reportedGroups.has(row.colocationId)) {
      reportedGroups.add(row.colocationId);
      add(
        'few_shards',
        'warning',
        qualified(row.name),
        `colocation group ${row.colocationId} has ${row.shards} shards: fewer than ${minShards} limits how far it can spread over workers`,
        `SELECT alter_distributed_table('${row.name}', shard_count => ${minShards}, cascade_to_colocated => true)`,
      );
    }
  }
  for (const table of tables.filter((candidate) => !candidate.hasTenantColumn)) {
    const row = byName.get(table.name);
    if (row?.method === 'h' && row.bytes < 64 * 1024 * 1024) {
      add(
        'small_table_distributed',
        'warning',
        qualified(table.name),
        `a small table without ${column} is distributed on ${row.column}: joining it from a tenant query leaves the worker`,
        `SELECT undistribute_table('${table.name}'); SELECT create_reference_table('${table.name}')`,
      );
    }
  }

  // Cardinality of each distribution column, from the workers' own statistics.
  const minRows = options.cardinalityMinRows ?? 10_000;
  for (const row of distribution.filter((candidate) => candidate.method === 'h' && candidate.column !== null)) {
    const stats = await db.query<{ rows: number; distinct: number | null }>(
      `SELECT sum((r.result::jsonb ->> 'rows')::float8)::float8 AS rows, max((r.result::jsonb ->> 'distinct')::float8)::float8 AS distinct
         FROM run_command_on_shards($1::regclass,
              format($cmd$SELECT json_build_object('rows', (SELECT reltuples FROM pg_class WHERE oid = '%%1$s'::regclass),
                                                   'distinct', (SELECT n_distinct FROM pg_stats
                                                                 WHERE tablename = regexp_replace('%%1$s', '^.*[.]', '') AND attname = %L))$cmd$, $2::text)) r
        WHERE r.success`,
      [`${schema}.${row.name}`, row.column],
    );
    const [{ rows, distinct }] = stats.length > 0 ? stats : [{ rows: 0, distinct: null }];
    if (rows >= minRows && distinct !== null && distinct > 0 && distinct < row.shards) {
      add(
        'low_cardinality_distribution_column',
        'warning',
        `${qualified(row.name)}.${row.column}`,
        `${row.column} has about ${Math.round(distinct)} distinct values for ${row.shards} shards: most shards stay empty and a few hold everything`,
        'distribute on a column with many values: the tenant id',
      );
    }
  }

  const nodes = await db.query<{ node: string; bytes: number }>(
    `SELECT n.nodename || ':' || n.nodeport AS node, coalesce(sum(s.shard_size), 0)::float8 AS bytes
       FROM pg_dist_node n LEFT JOIN citus_shards s ON s.nodename = n.nodename AND s.nodeport = n.nodeport AND s.citus_table_type = 'distributed'
      WHERE n.shouldhaveshards AND n.isactive AND n.noderole = 'primary' GROUP BY 1 ORDER BY 1`,
  );
  if (nodes.length > 1) {
    const sizes = nodes.map((node) => node.bytes);
    const [largest, smallest] = [Math.max(...sizes), Math.min(...sizes)];
    if (largest - smallest >= (options.skewMinBytes ?? 256 * 1024 * 1024) && largest > 2 * smallest) {
      const fullest = nodes[sizes.indexOf(largest)].node;
      add(
        'shard_size_skew',
        'warning',
        `node ${fullest}`,
        `holds ${largest} bytes of shards against ${smallest} on the emptiest node`,
        "SELECT citus_rebalance_start(rebalance_strategy => 'by_disk_size'), or isolate the largest tenants",
      );
    }
  }

  // The tenant role: SET LOCAL must reach the workers, and fan-out must fail.
  const tenantRoles = [...new Set(context.policies.filter((policy) => policy.readsSetting && policy.writers).flatMap((policy) => policy.roles))].filter(
    (role) => role !== 'public',
  );
  const settings = await db.query<{ role: string; settings: string[] }>(
    `SELECT r.rolname AS role, coalesce(array_agg(s.setting) FILTER (WHERE s.setting IS NOT NULL), '{}') AS settings
       FROM pg_roles r LEFT JOIN LATERAL (SELECT unnest(d.setconfig) AS setting FROM pg_db_role_setting d
                                           WHERE d.setrole = r.oid AND d.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))) s ON true
      WHERE r.rolname = ANY($1) GROUP BY r.rolname`,
    [tenantRoles],
  );
  for (const role of settings) {
    if (!role.settings.includes('citus.propagate_set_commands=local')) {
      add(
        'tenant_role_set_not_propagated',
        'error',
        `role ${role.role}`,
        'citus.propagate_set_commands is not local for the tenant role: SET LOCAL of the tenant never reaches the workers, where row-level security then sees no tenant',
        `ALTER ROLE ${role.role} SET citus.propagate_set_commands = 'local'`,
      );
    }
    if (!role.settings.includes('citus.multi_task_query_log_level=error')) {
      add(
        'tenant_role_fan_out_allowed',
        'warning',
        `role ${role.role}`,
        'a tenant query that forgets its predicate fans out to every shard instead of failing',
        `ALTER ROLE ${role.role} SET citus.multi_task_query_log_level = 'error'`,
      );
    }
  }
}

export function exitCodeOf(findings: Finding[]): 0 | 1 | 2 {
  if (findings.some((finding) => finding.severity === 'error')) return 2;
  return findings.length > 0 ? 1 : 0;
}

export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'schema doctor: no findings\n';
  const lines = findings.map(
    (finding) => `${finding.severity.toUpperCase().padEnd(7)} ${finding.check}  ${finding.object}\n        ${finding.message}\n        fix: ${finding.fix}`,
  );
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return `${lines.join('\n')}\n\nschema doctor: ${errors} error(s), ${findings.length - errors} warning(s)\n`;
}
