import { Client } from 'pg';
import { testEndpoints, testTarget } from '@app/testing';
import { createTenants, ITEM_CENTS, loadOrders, zipfWeights } from '../../../bench/scale/dataset';

/** The smoke of `npm run bench:scale`'s generator and loader: counts, the Zipf shape, and every tenant's rows in one shard group. */
describe(`The scale dataset at --scale 0.001 (${testTarget()})`, () => {
  const owner = new Client({ connectionString: testEndpoints().owner });
  const batch = `scale-smoke-${Date.now()}`;
  const ORDERS = 10_000;
  let tenantIds: string[];
  let loaded: Record<string, number>;

  beforeAll(async () => {
    await owner.connect();
    const tenants = await createTenants(owner, 100, 'scale-smoke-api-key-secret-0123456789abcdef', batch);
    tenantIds = tenants.map((tenant) => tenant.id);
    loaded = await loadOrders(owner, tenants, 0, ORDERS, batch);
  }, 120_000);
  afterAll(async () => {
    await owner.query(`DELETE FROM orders WHERE tenant_id = ANY($1)`, [tenantIds]);
    await owner.query(`DELETE FROM api_keys WHERE tenant_id = ANY($1)`, [tenantIds]);
    await owner.query(`DELETE FROM tenants WHERE id = ANY($1)`, [tenantIds]);
    await owner.end();
  });

  it('weighs the largest tenant at 5% of all orders', () => {
    const weights = zipfWeights(10_000);
    expect(weights[0]).toBeCloseTo(0.05, 4);
    expect(weights.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 9);
    expect(weights[4999] * 10_000_000).toBeGreaterThan(100);
  });

  it('writes the orders asked for, 2 or 3 items each, a payment for each paid order, all consistent', async () => {
    const { rows } = await owner.query(
      `SELECT (SELECT count(*) FROM orders WHERE note = $1)::int AS orders,
              (SELECT count(*) FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id WHERE o.note = $1)::int AS items,
              (SELECT count(*) FROM payments p JOIN orders o ON o.tenant_id = p.tenant_id AND o.id = p.order_id WHERE o.note = $1)::int AS payments,
              (SELECT count(*) FROM orders WHERE note = $1 AND status = 'paid')::int AS paid,
              (SELECT count(*) FROM orders o WHERE note = $1 AND total_cents <> $2 * (SELECT count(*) FROM order_items i WHERE i.tenant_id = o.tenant_id AND i.order_id = o.id))::int AS inconsistent`,
      [batch, ITEM_CENTS],
    );
    expect(rows[0]).toMatchObject({ orders: ORDERS, items: loaded.order_items, payments: loaded.payments, paid: loaded.payments, inconsistent: 0 });
    expect(loaded.order_items).toBe(ORDERS * 2.5);
    expect(loaded.payments / ORDERS).toBeGreaterThan(0.85);
  });

  it('gives the tenants Zipf-shaped sizes: the largest and the median near their weights', async () => {
    const { rows } = await owner.query<{ orders: number }>(
      `SELECT count(o.id)::int AS orders FROM unnest($1::uuid[]) t(id) LEFT JOIN orders o ON o.tenant_id = t.id AND o.note = $2 GROUP BY t.id ORDER BY 1 DESC`,
      [tenantIds, batch],
    );
    const sizes = rows.map((row) => row.orders);
    const largestShare = sizes[0] / ORDERS;
    const weights = zipfWeights(100);
    expect(largestShare).toBeGreaterThan(weights[0] * 0.8);
    expect(largestShare).toBeLessThan(weights[0] * 1.2);
    const expectedMedianRatio = weights[50] / weights[0];
    expect(sizes[50] / sizes[0]).toBeGreaterThan(expectedMedianRatio * 0.7);
    expect(sizes[50] / sizes[0]).toBeLessThan(expectedMedianRatio * 1.3);
    expect(sizes[99]).toBeLessThan(sizes[0]);
  });

  (testTarget() === 'citus' ? it : it.skip)("keeps each tenant's orders, items and payments on one node", async () => {
    const { rows } = await owner.query<{ spread: number }>(
      `SELECT max(nodes)::int AS spread FROM (
         SELECT t.id, count(DISTINCT p.groupid) AS nodes
           FROM unnest($1::uuid[]) t(id)
           CROSS JOIN (VALUES ('orders'), ('order_items'), ('payments')) tables(name)
           JOIN pg_dist_placement p ON p.shardid = get_shard_id_for_distribution_column(tables.name::regclass, t.id)
          GROUP BY t.id) per_tenant`,
      [tenantIds],
    );
    expect(rows[0].spread).toBe(1);
  });
});
