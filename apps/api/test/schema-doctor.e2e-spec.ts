import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { bearer, TEST_ADMIN_TOKEN, testTarget, withOwner } from '@app/testing';
import { DoctorOptions, examineSchema } from '@app/schema-doctor';
import { tenantPolicyPredicate } from '@migrations/support/tenant-policy';
import { startTestApi, TestApi } from './support/api';

const citus = testTarget() === 'citus';
const POLICY = `USING (${tenantPolicyPredicate()})`;
const SILENT_POLICY = `USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`;
const tenantFunction = (signature: string, options: string) =>
  `CREATE FUNCTION s.${signature} RETURNS void LANGUAGE plpgsql ${options} AS $$ BEGIN PERFORM set_config('app.tenant_id', p_tenant_id::text, true); END $$`;

interface BrokenSchema {
  /** Statements run in a fresh schema `s` (the placeholder is replaced by its name). */
  build: string[];
  /** What the doctor must find, and nothing else. */
  expected: string[];
  options?: DoctorOptions;
}

/** A tenant table as the pattern wants it, distributed and colocated on Citus. */
const goodTable = (name: string, extra = '', colocateWith = 'none') => [
  `CREATE TABLE s.${name} (tenant_id uuid NOT NULL, id bigint NOT NULL, ${extra} PRIMARY KEY (tenant_id, id))`,
  `ALTER TABLE s.${name} ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY ${name}_tenant ON s.${name} ${POLICY}`,
  ...(citus
    ? [`SELECT create_distributed_table('s.${name}', 'tenant_id', ${colocateWith === 'none' ? 'shard_count => 32, ' : ''}colocate_with => '${colocateWith}')`]
    : []),
];
const distribute = (table: string, column = 'tenant_id', extra = '') => (citus ? [`SELECT create_distributed_table('s.${table}', '${column}'${extra})`] : []);
const onCitus = (checks: string[]) => (citus ? checks : []);

const CASES: Array<[string, () => BrokenSchema]> = [
  ['a correct tenant schema', () => ({ build: [...goodTable('orders'), ...goodTable('items', 'order_id bigint NOT NULL,', 's.orders')], expected: [] })],
  [
    'a primary key without tenant_id',
    () => ({
      build: [
        `CREATE TABLE s.orders (tenant_id uuid NOT NULL, id bigint PRIMARY KEY)`,
        `ALTER TABLE s.orders ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY p ON s.orders ${POLICY}`,
      ],
      expected: ['no_tenant_index', 'primary_key_without_tenant', ...onCitus(['tenant_table_not_distributed'])],
    }),
  ],
  [
    'a unique constraint without tenant_id',
    () => ({
      build: [...goodTable('orders', 'code text UNIQUE,').filter((sql) => !sql.includes('create_distributed_table'))],
      expected: ['unique_without_tenant', ...onCitus(['tenant_table_not_distributed'])],
    }),
  ],
  [
    'no index leading with tenant_id',
    () => ({
      build: [
        `CREATE TABLE s.orders (tenant_id uuid NOT NULL, id bigint NOT NULL, PRIMARY KEY (id, tenant_id))`,
        `ALTER TABLE s.orders ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY p ON s.orders ${POLICY}`,
        ...distribute('orders', 'tenant_id', ', shard_count => 32'),
      ],
      expected: ['no_tenant_index'],
    }),
  ],
  [
    'a foreign key between tenant tables without tenant_id',
    () => ({
      build: [
        ...goodTable('orders', 'UNIQUE (tenant_id, id), code bigint NOT NULL,'),
        `CREATE UNIQUE INDEX orders_code ON s.orders (code)`,
        `CREATE TABLE s.items (tenant_id uuid NOT NULL, id bigint NOT NULL, order_code bigint REFERENCES s.orders (code), PRIMARY KEY (tenant_id, id))`,
        `ALTER TABLE s.items ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY p ON s.items ${POLICY}`,
      ].filter((sql) => !sql.includes('create_distributed_table')),
      expected: ['foreign_key_without_tenant', 'unique_without_tenant', ...onCitus(['tenant_table_not_distributed', 'tenant_table_not_distributed'])],
    }),
  ],
  [
    'ON DELETE SET NULL on tenant_id',
    () => ({
      build: [
        ...goodTable('orders'),
        `CREATE TABLE s.items (tenant_id uuid, id bigint NOT NULL, order_id bigint, PRIMARY KEY (id), UNIQUE (tenant_id, id))`,
        `CREATE INDEX ON s.items (tenant_id)`,
        `ALTER TABLE s.items ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY p ON s.items ${POLICY}`,
        `ALTER TABLE s.items ADD FOREIGN KEY (tenant_id, order_id) REFERENCES s.orders (tenant_id, id) ON DELETE SET NULL`,
      ].filter((sql) => !sql.includes('create_distributed_table')),
      expected: ['foreign_key_nulls_tenant', 'primary_key_without_tenant', ...onCitus(['tenant_table_not_distributed', 'tenant_table_not_distributed'])],
    }),
  ],
  ['row-level security not enabled', () => ({ build: goodTable('orders').filter((sql) => !sql.includes('ENABLE ROW')), expected: ['rls_disabled'] })],
  [
    'a policy that does not read the tenant setting',
    () => ({ build: goodTable('orders').map((sql) => sql.replace(POLICY, 'USING (true)')), expected: ['no_tenant_policy', 'policy_ignores_tenant'] }),
  ],
  [
    'a policy that filters silently without a tenant',
    () => ({ build: goodTable('orders').map((sql) => sql.replace(POLICY, SILENT_POLICY)), expected: ['silent_tenant_policy'] }),
  ],
  [
    "a tenant function that runs as its owner, on the caller's search_path",
    () => ({
      build: [...goodTable('orders'), tenantFunction('touch(p_tenant_id uuid)', 'SECURITY DEFINER')],
      expected: ['tenant_function_search_path', 'tenant_function_security_definer', ...onCitus(['tenant_function_not_distributed'])],
    }),
  ],
  ...(citus
    ? ([
        [
          'a tenant function distributed on another argument than the tenant',
          () => ({
            build: [
              ...goodTable('orders'),
              tenantFunction('touch(p_actor uuid, p_tenant_id uuid)', 'SET search_path = s, pg_catalog'),
              `SELECT create_distributed_function('s.touch(uuid, uuid)', '$1', colocate_with => 's.orders')`,
            ],
            expected: ['tenant_function_wrong_argument'],
          }),
        ],
        [
          'a tenant table left local',
          () => ({ build: goodTable('orders').filter((sql) => !sql.includes('create_distributed_table')), expected: ['tenant_table_not_distributed'] }),
        ],
        [
          'a tenant table distributed on another column',
          () => ({
            build: goodTable('orders').map((sql) => sql.replace("'tenant_id', shard_count", "'id', shard_count")),
            expected: ['distributed_on_other_column'],
          }),
        ],
        [
          'tenant tables in different colocation groups',
          () => ({
            build: [...goodTable('orders'), ...goodTable('items', '', 'none'), ...goodTable('payments', '', 's.orders')],
            expected: ['tenant_tables_not_colocated'],
          }),
        ],
        [
          'a colocation group of 4 shards',
          () => ({ build: goodTable('orders').map((sql) => sql.replace('shard_count => 32', 'shard_count => 4')), expected: ['few_shards'] }),
        ],
        [
          'a small lookup table distributed',
          () => ({
            build: [`CREATE TABLE s.currencies (code text PRIMARY KEY, name text)`, ...distribute('currencies', 'code')],
            expected: ['small_table_distributed'],
          }),
        ],
        [
          'a distribution column with three values',
          () => ({
            build: [
              `CREATE TABLE s.events (status text NOT NULL, id bigint NOT NULL, PRIMARY KEY (status, id))`,
              ...distribute('events', 'status', ', shard_count => 32'),
              `INSERT INTO s.events SELECT (ARRAY['new', 'open', 'done'])[1 + i % 3], i FROM generate_series(1, 30000) i`,
              `SELECT run_command_on_shards('s.events', 'ANALYZE %s')`,
            ],
            expected: ['low_cardinality_distribution_column', 'small_table_distributed'],
          }),
        ],
        [
          'shards far larger on one node',
          () => ({
            build: [
              ...goodTable('orders', 'payload text NOT NULL,'),
              `INSERT INTO s.orders SELECT '00000000-0000-4000-8000-000000000001', i, repeat('x', 200) FROM generate_series(1, 80000) i`,
            ],
            expected: ['shard_size_skew'],
            options: { skewMinBytes: 1 },
          }),
        ],
      ] as Array<[string, () => BrokenSchema]>)
    : []),
];

describe(`The schema doctor (${testTarget()})`, () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const inSchema = async (build: string[], run: (schema: string) => Promise<void>) => {
    const schema = `doctor_${randomBytes(4).toString('hex')}`;
    await withOwner(api.ownerUrl, async (client) => {
      await client.query(`CREATE SCHEMA ${schema}`);
      try {
        for (const sql of build) await client.query(sql.replace(/\bs\./g, `${schema}.`).replace(/'s\./g, `'${schema}.`));
        await run(schema);
      } finally {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    });
  };

  it('finds nothing on the project database: GET /admin/schema-check and npm run doctor agree', async () => {
    const response = await request(api.admin).get('/admin/schema-check').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    expect(response.body).toEqual({ ok: true, findings: [] });
    const { stdout } = await promisify(execFile)('npx', [
      'ts-node',
      '--transpile-only',
      '-r',
      'tsconfig-paths/register',
      'libs/schema-doctor/src/cli.ts',
      '--url',
      api.ownerUrl,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toEqual({ ok: true, findings: [] });
  });

  it('answers 401 without the admin token', async () => {
    await request(api.admin).get('/admin/schema-check').expect(401);
  });

  it.each(CASES)('%s', async (_name, make) => {
    const { build, expected, options } = make();
    await inSchema(build, async (schema) => {
      const findings = await withOwner(api.ownerUrl, (client) =>
        examineSchema({ query: async (sql, parameters) => (await client.query(sql, parameters)).rows }, { schema, ...options }),
      );
      expect(findings.map((finding) => finding.check).sort()).toEqual([...expected].sort());
      for (const finding of findings)
        expect(finding).toEqual({
          check: expect.any(String),
          severity: expect.stringMatching(/^(error|warning)$/),
          object: expect.stringContaining(''),
          message: expect.any(String),
          fix: expect.any(String),
        });
    });
  });

  it('flags runtime roles that own tables or bypass row-level security, and a tenant role without its Citus settings', async () => {
    const role = `doctor_rt_${randomBytes(3).toString('hex')}`;
    await withOwner(api.ownerUrl, (client) => client.query(`CREATE ROLE ${role} BYPASSRLS`));
    try {
      const build = [
        ...goodTable('orders'),
        `CREATE POLICY runtime ON s.orders TO ${role} ${POLICY}`,
        `GRANT INSERT ON s.orders TO ${role}`,
        `ALTER TABLE s.orders OWNER TO ${role}`,
      ];
      await inSchema(build, async (schema) => {
        const findings = await withOwner(api.ownerUrl, (client) =>
          examineSchema({ query: async (sql, parameters) => (await client.query(sql, parameters)).rows }, { schema }),
        );
        const expected = [
          'rls_not_forced',
          'runtime_role_bypassrls',
          'runtime_role_owns_tables',
          ...onCitus(['tenant_role_fan_out_allowed', 'tenant_role_set_not_propagated']),
        ];
        expect(findings.map((finding) => finding.check).sort()).toEqual(expected.sort());
      });
    } finally {
      await withOwner(api.ownerUrl, (client) => client.query(`DROP ROLE ${role}`));
    }
  });
});
