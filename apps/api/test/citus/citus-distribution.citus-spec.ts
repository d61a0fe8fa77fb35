import { Client } from 'pg';
import request from 'supertest';
import { openingStatements } from '@app/persistence';
import { bearer, createOrder, createTenant, orderBody, TEST_ADMIN_TOKEN, testEndpoints, TestTenant, withOwner } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';

/**
 * What only a real cluster can show: how the tables are distributed, that the tenant API
 * stays on single-shard router queries, and how the tenant context reaches the workers.
 */
describe('on a Citus cluster', () => {
  let api: TestApi;
  let tenants: TestTenant[];

  beforeAll(async () => {
    api = await startTestApi();
    // Enough tenants that both workers hold some of them.
    tenants = [];
    for (let index = 0; index < 6; index += 1) {
      const tenant = await createTenant(api.admin);
      await createOrder(api.server, tenant);
      await createOrder(api.server, tenant);
      tenants.push(tenant);
    }
  });
  afterAll(() => api.close());

  async function asTenantRole<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: testEndpoints().tenant });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  describe('schema', () => {
    it('distributes the tenant tables on tenant_id in one colocation group of 32 shards', async () => {
      const rows = await withOwner(
        api.ownerUrl,
        async (client) =>
          (
            await client.query(
              `SELECT table_name::text AS name, citus_table_type AS type, distribution_column AS column,
                    colocation_id AS colocation, shard_count::int AS shards
               FROM citus_tables WHERE table_name::text IN ('orders', 'order_items', 'payments', 'refunds', 'country', 'plans', 'tenants', 'api_keys')
              ORDER BY 1`,
            )
          ).rows,
      );
      const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
      for (const table of ['orders', 'order_items', 'payments', 'refunds']) {
        expect(byName[table]).toMatchObject({ type: 'distributed', column: 'tenant_id', shards: 32 });
      }
      expect(new Set(['orders', 'order_items', 'payments', 'refunds'].map((table) => byName[table].colocation)).size).toBe(1);
      expect(byName.country).toMatchObject({ type: 'reference' });
      expect(byName.plans).toMatchObject({ type: 'reference' });
      expect(byName.tenants).toMatchObject({ type: 'local' });
      expect(byName.api_keys).toMatchObject({ type: 'local' });
    });

    it('reports the same picture through GET /admin/cluster', async () => {
      const response = await request(api.admin).get('/admin/cluster').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
      expect(response.body.mode).toBe('citus');
      expect(response.body.nodes.filter((node: { role: string }) => node.role === 'worker')).toHaveLength(2);
      const orders = response.body.tables.find((table: { name: string }) => table.name === 'orders');
      expect(orders).toEqual({ name: 'orders', type: 'distributed', distributionColumn: 'tenant_id', colocationId: expect.any(Number), shardCount: 32 });
    });

    it('spreads the test tenants over both workers', async () => {
      const ports = new Set<number>();
      for (const tenant of tenants) {
        const response = await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
        expect(response.body.placement).toEqual({ shardId: expect.any(Number), nodeName: expect.any(String), nodePort: expect.any(Number) });
        ports.add(response.body.placement.nodePort);
      }
      expect(ports.size).toBe(2);
    });
  });

  describe('the tenant API runs router queries only', () => {
    it('refuses any multi-shard query of the tenant role', async () => {
      await asTenantRole(async (client) => {
        await client.query('BEGIN');
        await client.query(`SET LOCAL app.tenant_id = '${tenants[0].id}'`);
        await expect(client.query('SELECT count(*) FROM orders')).rejects.toThrow(/multi-task query about to be executed/);
        await client.query('ROLLBACK');
      });
    });

    it('answers every /v1 route under that guard', async () => {
      const [tenant] = tenants;
      const headers = bearer(tenant.apiKey);
      const order = (await request(api.server).post('/v1/orders').set(headers).set('Idempotency-Key', `tour-${tenant.id}`).send(orderBody()).expect(201)).body;
      await request(api.server).post('/v1/orders').set(headers).set('Idempotency-Key', `tour-${tenant.id}`).send(orderBody()).expect(201);
      await request(api.server).get('/v1/tenant').set(headers).expect(200);
      await request(api.server).get('/v1/countries').set(headers).expect(200);
      await request(api.server).get('/v1/plans').set(headers).expect(200);
      await request(api.server).get('/v1/orders?limit=1').set(headers).expect(200);
      await request(api.server).get('/v1/orders?status=pending').set(headers).expect(200);
      await request(api.server).get(`/v1/orders/${order.id}`).set(headers).expect(200);
      const payment = (await request(api.server).post(`/v1/orders/${order.id}/payments`).set(headers).send({ amountCents: 100, method: 'card' }).expect(201))
        .body;
      await request(api.server).get(`/v1/orders/${order.id}/payments`).set(headers).expect(200);
      await request(api.server).post(`/v1/orders/${order.id}/payments/${payment.id}/refunds`).set(headers).send({ amountCents: 40 }).expect(201);
      await request(api.server).post(`/v1/orders/${order.id}/payments/${payment.id}/refunds`).set(headers).send({ amountCents: 100 }).expect(409);
      await request(api.server).get(`/v1/orders/${order.id}/payments/${payment.id}/refunds`).set(headers).expect(200);
      await request(api.server).post(`/v1/orders/${order.id}/cancel`).set(headers).expect(200);
      await request(api.server).get('/v1/stats').set(headers).expect(200);
      await request(api.admin).get(`/admin/tenants/${tenant.id}/export`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    });

    it('plans GET /v1/orders/:id as one task on one worker', async () => {
      const tenant = tenants[1];
      const order = await createOrder(api.server, tenant);
      const plan = await asTenantRole(async (client) => {
        await client.query('BEGIN');
        await client.query(`SET LOCAL app.tenant_id = '${tenant.id}'`);
        const { rows } = await client.query(
          `EXPLAIN SELECT o.id, (SELECT json_agg(i.id) FROM order_items i WHERE i.tenant_id = $1 AND i.order_id = o.id),
                          (SELECT json_agg(p.id) FROM payments p WHERE p.tenant_id = $1 AND p.order_id = o.id)
             FROM orders o WHERE o.tenant_id = $1 AND o.id = $2`,
          [tenant.id, order.id],
        );
        await client.query('COMMIT');
        return rows.map((row) => row['QUERY PLAN'] as string).join('\n');
      });
      expect(plan).toMatch(/Custom Scan \(Citus Adaptive\)/);
      expect(plan).toMatch(/Task Count: 1\b/);
      const workerPorts = [process.env.CLUSTER_WORKER1_PORT ?? '9701', process.env.CLUSTER_WORKER2_PORT ?? '9702'];
      expect(workerPorts).toContain(/Node: host=\S+ port=(\d+)/.exec(plan)?.[1]);
    });
  });

  describe('the tenant statement shapes', () => {
    it('distributes the tenant functions by their tenant argument, colocated with orders', async () => {
      const rows = await withOwner(
        api.ownerUrl,
        async (client) =>
          (
            await client.query(
              `SELECT p.proname AS name, d.distribution_argument_index AS argument,
                      d.colocationid = (SELECT colocation_id FROM citus_tables WHERE table_name = 'orders'::regclass) AS colocated
                 FROM pg_dist_object d JOIN pg_proc p ON p.oid = d.objid
                WHERE d.classid = 'pg_proc'::regclass AND p.proname LIKE 'tenant\\_%' AND p.proname <> 'tenant_shard_allowed_on_node'
                ORDER BY 1`,
            )
          ).rows,
      );
      expect(rows).toEqual(
        ['tenant_capture_payment', 'tenant_create_order', 'tenant_order_details', 'tenant_orders_page', 'tenant_refund_payment'].map((name) => ({
          name,
          argument: 0,
          colocated: true,
        })),
      );
    });

    it("hands a tenant function call to the worker that holds the tenant's shards", async () => {
      const tenant = tenants[2];
      const order = await createOrder(api.server, tenant);
      const placement = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body.placement;
      const plan = await asTenantRole(async (client) => {
        const { rows } = await client.query(`EXPLAIN SELECT * FROM tenant_order_details($1, $2)`, [tenant.id, order.id]);
        return rows.map((row) => row['QUERY PLAN'] as string).join('\n');
      });
      expect(plan).toMatch(/Task Count: 1\b/);
      expect(/Node: host=\S+ port=(\d+)/.exec(plan)?.[1]).toBe(String(placement.nodePort));
    });

    it("plans each statement of the tenant reads on the worker's own shard, never through a deparsed shard query", async () => {
      const tenant = tenants[3];
      const order = await createOrder(api.server, tenant);
      const placement = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body.placement;
      const worker = new URL(testEndpoints().tenant);
      worker.hostname = placement.nodeName;
      worker.port = String(placement.nodePort);
      const client = new Client({ connectionString: worker.toString() });
      await client.connect();
      try {
        const messages: string[] = [];
        client.on('notice', (notice) => messages.push(notice.message ?? ''));
        await client.query('SET client_min_messages = debug2');
        const planning = async (sql: string, parameters: unknown[]) => {
          messages.length = 0;
          const { rowCount } = await client.query(sql, parameters);
          const count = (pattern: RegExp) => messages.filter((message) => pattern.test(message)).length;
          return { answered: (rowCount ?? 0) > 0, onTheShard: count(/created local execution plan/), deferred: count(/Deferred pruning/) };
        };
        expect(await planning('SELECT * FROM tenant_order_details($1, $2)', [tenant.id, order.id])).toEqual({ answered: true, onTheShard: 3, deferred: 0 });
        expect(await planning('SELECT * FROM tenant_orders_page($1, 20, NULL, NULL, NULL)', [tenant.id])).toEqual({
          answered: true,
          onTheShard: 1,
          deferred: 0,
        });
      } finally {
        await client.end();
      }
    });

    it('opens a tenant transaction without a warning from any node; the opening in one string warned on every worker', async () => {
      const notices = async (opening: string[]) =>
        asTenantRole(async (client) => {
          const seen: string[] = [];
          client.on('notice', (notice) => seen.push(`${notice.severity ?? ''}: ${notice.message}`));
          for (const statement of opening) await client.query(statement);
          await client.query(`SELECT id FROM orders WHERE tenant_id = $1 LIMIT 1`, [tenants[0].id]);
          await client.query('COMMIT');
          return seen;
        });
      const context = { tenantId: tenants[0].id, planId: 'pro', statementTimeoutMs: 5000 };
      expect(await notices(openingStatements(context))).toEqual([]);
      expect(await notices([openingStatements(context).join('; ')])).toContainEqual(expect.stringMatching(/WARNING: .*already a transaction in progress/));
    });
  });

  describe('tenant context on the workers', () => {
    async function visibleTenantsWithoutPredicate(setContext: (client: Client, tenantId: string) => Promise<void>, tenantId: string) {
      return asTenantRole(async (client) => {
        await client.query('BEGIN');
        // Lift the router-only guard for this transaction: the point is a query without a tenant predicate.
        await client.query(`SET LOCAL citus.multi_task_query_log_level = 'off'`);
        await setContext(client, tenantId);
        const { rows } = await client.query('SELECT DISTINCT tenant_id::text AS tenant FROM orders');
        await client.query('ROLLBACK');
        return rows.map((row) => row.tenant as string);
      });
    }

    it('SET LOCAL reaches every worker: a query with no predicate sees only its tenant', async () => {
      for (const tenant of tenants.slice(0, 3)) {
        const visible = await visibleTenantsWithoutPredicate(
          (client, id) => client.query(`SET LOCAL app.tenant_id = '${id}'`).then(() => undefined),
          tenant.id,
        );
        expect(visible).toEqual([tenant.id]);
      }
    });

    it('set_config alone does not reach the workers: row-level security there finds no tenant and fails the statement', async () => {
      await expect(
        visibleTenantsWithoutPredicate((client, id) => client.query(`SELECT set_config('app.tenant_id', $1, true)`, [id]).then(() => undefined), tenants[0].id),
      ).rejects.toThrow(/no tenant context/);
    });

    it('fails the statement without a tenant context, rather than answering with nothing', async () => {
      await expect(visibleTenantsWithoutPredicate(async () => undefined, tenants[0].id)).rejects.toThrow(/no tenant context/);
    });
  });
});
