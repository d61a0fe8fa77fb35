import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, ClusterControl, createTenant, TestTenant, withOwner } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { HANG_GUARD_MS } from './support';

const ORDER_TOTAL = 1000;
const PAYMENT = 400;

interface Acknowledged {
  orders: Array<{ tenantId: string; id: number }>;
  payments: Array<{ tenantId: string; id: number; orderId: number }>;
  refusals: number;
}

describe('acknowledged writes survive worker and PgBouncer restarts', () => {
  const cluster = new ClusterControl();
  let api: TestApi;
  let tenants: TestTenant[];

  beforeAll(async () => {
    api = await startTestApi();
    tenants = [];
    for (let index = 0; index < 6; index += 1) tenants.push(await createTenant(api.admin));
  });
  afterAll(async () => {
    cluster.startAll();
    await api.close();
  });

  /** A client that retries with the same Idempotency-Key until it gets an answer other than 503. */
  async function send(path: string, tenant: TestTenant, body: object, acknowledged: Acknowledged): Promise<request.Response | undefined> {
    const key = randomUUID();
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const response = await request(api.server)
        .post(path)
        .set(bearer(tenant.apiKey))
        .set('Idempotency-Key', key)
        .send(body)
        .timeout(HANG_GUARD_MS)
        .catch(() => undefined);
      if (response && response.status !== 503) return response;
      acknowledged.refusals += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return undefined;
  }

  async function writeUntil(stopped: () => boolean, tenant: TestTenant, acknowledged: Acknowledged): Promise<void> {
    while (!stopped()) {
      const order = await send(
        '/v1/orders',
        tenant,
        { countryCode: 'FR', items: [{ sku: 'durable', quantity: 1, unitPriceCents: ORDER_TOTAL }] },
        acknowledged,
      );
      if (order?.status !== 201) continue;
      acknowledged.orders.push({ tenantId: tenant.id, id: order.body.id });
      for (let payment = 0; payment < 2; payment += 1) {
        const paid = await send(`/v1/orders/${order.body.id}/payments`, tenant, { amountCents: PAYMENT, method: 'card' }, acknowledged);
        if (paid?.status === 201) acknowledged.payments.push({ tenantId: tenant.id, id: paid.body.id, orderId: order.body.id });
      }
    }
  }

  it('finds every acknowledged order and payment, none applied twice, no order overpaid', async () => {
    const acknowledged: Acknowledged = { orders: [], payments: [], refusals: 0 };
    let stopped = false;
    const writers = tenants.map((tenant) => writeUntil(() => stopped, tenant, acknowledged));
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await pause(1000);
    cluster.stopNode('worker2');
    await pause(1500);
    cluster.startAll();
    await pause(1000);
    cluster.stopPgBouncer();
    await pause(1000);
    cluster.startAll();
    await pause(1500);
    stopped = true;
    await Promise.all(writers);

    process.stdout.write(
      `[faults] durability: ${acknowledged.orders.length} orders and ${acknowledged.payments.length} payments acknowledged, ${acknowledged.refusals} answers were 503 or no answer and were retried\n`,
    );
    expect(acknowledged.orders.length).toBeGreaterThan(0);
    expect(acknowledged.refusals).toBeGreaterThan(0);

    await withOwner(api.ownerUrl, async (client) => {
      const tenantIds = tenants.map((tenant) => tenant.id);
      const orders = (
        await client.query(`SELECT tenant_id::text AS "tenantId", id, total_cents AS total, paid_cents AS paid FROM orders WHERE tenant_id = ANY($1::uuid[])`, [
          tenantIds,
        ])
      ).rows;
      const payments = (
        await client.query(
          `SELECT tenant_id::text AS "tenantId", id, order_id AS "orderId", amount_cents AS amount FROM payments WHERE tenant_id = ANY($1::uuid[])`,
          [tenantIds],
        )
      ).rows;
      const orderKeys = new Set(orders.map((order) => `${order.tenantId}/${order.id}`));
      const paymentKeys = new Set(payments.map((payment) => `${payment.tenantId}/${payment.id}`));

      expect(acknowledged.orders.filter((order) => !orderKeys.has(`${order.tenantId}/${order.id}`))).toEqual([]);
      expect(acknowledged.payments.filter((payment) => !paymentKeys.has(`${payment.tenantId}/${payment.id}`))).toEqual([]);

      for (const order of orders) {
        const paid = payments
          .filter((payment) => payment.tenantId === order.tenantId && Number(payment.orderId) === Number(order.id))
          .reduce((sum: number, payment) => sum + Number(payment.amount), 0);
        expect({ order: `${order.tenantId}/${order.id}`, paid: Number(order.paid) }).toEqual({ order: `${order.tenantId}/${order.id}`, paid });
        expect(Number(order.paid)).toBeLessThanOrEqual(Number(order.total));
      }
      // Two payments were attempted per order, each at most once.
      expect(payments.length).toBeLessThanOrEqual(orders.length * 2);
    });
  });
});
