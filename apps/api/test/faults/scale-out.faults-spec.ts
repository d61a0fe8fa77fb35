import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, TEST_ADMIN_TOKEN, TestTenant, withOwner } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { eventually, HANG_GUARD_MS } from './support';

const admin = bearer(TEST_ADMIN_TOKEN);
const WRITERS = 6;
/** A rebalance moves shard groups one by one with logical replication: minutes, not seconds. */
const REBALANCE_ATTEMPTS = 600;

interface WriterRecord {
  tenant: TestTenant;
  acknowledged: Map<string, number>;
  statuses: Map<number | string, number>;
  longestErrorStretchMs: number;
}

/** Writes orders one after another, each retried with its Idempotency-Key until acknowledged. */
async function steadyWriter(api: TestApi, record: WriterRecord, running: () => boolean): Promise<void> {
  while (running()) {
    const key = randomUUID();
    let firstErrorAt: number | undefined;
    for (;;) {
      const response = await request(api.server)
        .post('/v1/orders')
        .set(bearer(record.tenant.apiKey))
        .set('Idempotency-Key', key)
        .send(orderBody())
        .timeout(HANG_GUARD_MS)
        .catch((error: unknown) => ({ status: `error:${(error as Error).message.slice(0, 40)}`, body: undefined }) as const);
      record.statuses.set(response.status, (record.statuses.get(response.status) ?? 0) + 1);
      if (response.status === 201 || response.status === 200) {
        record.acknowledged.set(key, (response.body as { id: number }).id);
        if (firstErrorAt !== undefined) record.longestErrorStretchMs = Math.max(record.longestErrorStretchMs, Date.now() - firstErrorAt);
        break;
      }
      firstErrorAt ??= Date.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Reads one order and the first page of orders over and over. The reads are handed to the
 * tenant's worker; one that meets the shard moving away must still answer (or say 503), never 404.
 */
async function steadyReader(api: TestApi, tenant: TestTenant, orderId: number, statuses: Map<string, number>, running: () => boolean): Promise<void> {
  while (running()) {
    for (const path of [`/v1/orders/${orderId}`, '/v1/orders?limit=5']) {
      const response = await request(api.server)
        .get(path)
        .set(bearer(tenant.apiKey))
        .timeout(HANG_GUARD_MS)
        .catch((error: unknown) => ({ status: `error:${(error as Error).message.slice(0, 40)}`, body: undefined }) as const);
      const found = response.status === 200 && (path.includes('limit') ? (response.body as { data: unknown[] }).data.length > 0 : true);
      const outcome = `${path.includes('limit') ? 'list' : 'order'} ${response.status}${response.status === 200 && !found ? ' empty' : ''}`;
      statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
    }
  }
}

async function shardsPerNode(api: TestApi): Promise<Record<string, number>> {
  const cluster = await request(api.admin).get('/admin/cluster').set(admin).expect(200);
  return Object.fromEntries(
    cluster.body.nodes
      .filter((node: { role: string }) => node.role === 'worker')
      .map((node: { nodePort: number; shardCount: number }) => [node.nodePort, node.shardCount]),
  );
}

async function waitForRebalance(api: TestApi): Promise<void> {
  const finished = await eventually(async () => {
    const status = await request(api.admin).get('/admin/cluster/rebalance').set(admin).expect(200);
    return status.body.status === null || ['finished', 'failed', 'cancelled'].includes(status.body.status.state);
  }, REBALANCE_ATTEMPTS);
  expect(finished).toBe(true);
  const status = await request(api.admin).get('/admin/cluster/rebalance').set(admin).expect(200);
  expect(status.body.status === null || status.body.status.state === 'finished').toBe(true);
}

/**
 * Growing the cluster while tenants write: a third worker is added and the shards rebalanced
 * onto it under steady writes; then a tenant gets that node to itself.
 */
describe('scale-out under live writes, then a dedicated node', () => {
  let api: TestApi;
  let addedNode: { nodeName: string; nodePort: number };

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('adds a worker and rebalances while tenants write: every acknowledged write is there once', async () => {
    const records: WriterRecord[] = [];
    for (let index = 0; index < WRITERS; index += 1) {
      records.push({ tenant: await createTenant(api.admin), acknowledged: new Map(), statuses: new Map(), longestErrorStretchMs: 0 });
    }
    const before = await shardsPerNode(api);
    let writing = true;
    const writers = records.map((record) => steadyWriter(api, record, () => writing));

    await promisify(execFile)('bash', ['scripts/cluster-up.sh', '--add-node'], { env: process.env });
    const withNewNode = await shardsPerNode(api);
    const newPort = Object.keys(withNewNode).find((port) => !(port in before));
    expect(newPort).toBeDefined();
    addedNode = { nodeName: '127.0.0.1', nodePort: Number(newPort) };

    await request(api.admin).post('/admin/cluster/rebalance').set(admin).expect(202);
    // A second start while the first runs is a conflict, never a 500.
    const second = await request(api.admin).post('/admin/cluster/rebalance').set(admin).expect(409);
    expect(second.body.message).toMatch(/already running/);
    await waitForRebalance(api);
    writing = false;
    await Promise.all(writers);
    const after = await shardsPerNode(api);

    for (const record of records) {
      const stored = await withOwner(api.ownerUrl, async (client) => {
        const { rows } = await client.query<{ key: string; id: number; copies: number }>(
          `SELECT idempotency_key AS key, min(id)::float8 AS id, count(*)::int AS copies FROM orders WHERE tenant_id = $1 GROUP BY idempotency_key`,
          [record.tenant.id],
        );
        return rows;
      });
      expect(stored.filter((row) => row.copies > 1)).toEqual([]);
      const storedIds = new Map(stored.map((row) => [row.key, row.id]));
      for (const [key, id] of record.acknowledged) expect(storedIds.get(key)).toBe(id);
      expect(stored.length).toBe(record.acknowledged.size);
      expect([...record.statuses.keys()].filter((status) => typeof status === 'number' && status >= 500 && status !== 503)).toEqual([]);
    }
    expect(after[newPort!]).toBeGreaterThan(0);
    const acknowledged = records.reduce((sum, record) => sum + record.acknowledged.size, 0);
    const longest = Math.max(...records.map((record) => record.longestErrorStretchMs));
    const statuses = records
      .flatMap((record) => [...record.statuses])
      .reduce<Record<string, number>>((all, [status, count]) => ({ ...all, [status]: (all[status] ?? 0) + count }), {});
    process.stdout.write(
      `[faults] scale-out: ${acknowledged} writes acknowledged, 0 lost, 0 duplicated; longest error stretch ${longest} ms; ` +
        `statuses ${JSON.stringify(statuses)}; shards per worker before ${JSON.stringify(before)}, after ${JSON.stringify(after)}\n`,
    );
  }, 900_000);

  it('dedicates the new node to one tenant: isolated, moved, pinned, and a rebalance leaves it there alone', async () => {
    const tenant = await createTenant(api.admin);
    const order = await createOrder(api.server, tenant);
    await request(api.admin).post(`/admin/tenants/${tenant.id}/isolate`).set(admin).send({ nodeName: addedNode.nodeName }).expect(400);
    await request(api.admin).post(`/admin/tenants/${tenant.id}/isolate`).set(admin).send({ nodeName: 'nowhere', nodePort: 1 }).expect(400);
    // The tenant keeps writing while its shard group is split and moved: retryable 503s at most, never a 500.
    const record: WriterRecord = { tenant, acknowledged: new Map(), statuses: new Map(), longestErrorStretchMs: 0 };
    const reads = new Map<string, number>();
    let writing = true;
    const writer = steadyWriter(api, record, () => writing);
    const reader = steadyReader(api, tenant, order.id as number, reads, () => writing);
    const isolated = await request(api.admin).post(`/admin/tenants/${tenant.id}/isolate`).set(admin).send(addedNode).expect(200);
    writing = false;
    await Promise.all([writer, reader]);
    expect([...record.statuses.keys()].filter((status) => status !== 201 && status !== 200 && status !== 503)).toEqual([]);
    expect([...reads.keys()].filter((outcome) => !['order 200', 'order 503', 'list 200', 'list 503'].includes(outcome))).toEqual([]);
    process.stdout.write(
      `[faults] during isolation: writes ${JSON.stringify(Object.fromEntries(record.statuses))}, longest error stretch ${record.longestErrorStretchMs} ms; ` +
        `reads ${JSON.stringify(Object.fromEntries(reads))}\n`,
    );
    expect(isolated.body).toEqual({ shardId: expect.any(Number), ...addedNode, pinned: true });
    await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);

    await request(api.admin).post('/admin/cluster/rebalance').set(admin).expect(202);
    await waitForRebalance(api);
    const placement = (await request(api.admin).get(`/admin/tenants/${tenant.id}`).set(admin).expect(200)).body.placement;
    expect(placement).toEqual({ shardId: isolated.body.shardId, ...addedNode });
    const othersOnNode = await withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM citus_shards
          WHERE nodeport = $1 AND citus_table_type = 'distributed'
            AND shardid NOT IN (SELECT s.shardid FROM pg_dist_shard s JOIN pg_dist_shard pinned ON s.shardminvalue = pinned.shardminvalue
                                 WHERE pinned.shardid = $2)`,
        [addedNode.nodePort, isolated.body.shardId],
      );
      return rows[0].count;
    });
    expect(othersOnNode).toBe(0);
    await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
    await createOrder(api.server, tenant);
    process.stdout.write(`[faults] dedicated node: shards per worker ${JSON.stringify(await shardsPerNode(api))}\n`);
  }, 900_000);
});
