import request from 'supertest';
import { bearer, createOrder, createTenant, tenantRowCounts, TestTenant } from '@app/testing';
import { expectError, expectOrder, expectPayment } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

/** One item: the order's total is exactly `totalCents`. */
const itemsWorth = (totalCents: number) => [{ sku: 'SKU-PAY', quantity: 1, unitPriceCents: totalCents }];

describe('Payments (/v1/orders/:id/payments) and stats (/v1/stats)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const pay = (tenant: TestTenant, orderId: number, body: Record<string, unknown>) =>
    request(api.server).post(`/v1/orders/${orderId}/payments`).set(bearer(tenant.apiKey)).send(body);
  const getOrder = (tenant: TestTenant, orderId: number) => request(api.server).get(`/v1/orders/${orderId}`).set(bearer(tenant.apiKey)).expect(200);
  const cancel = (tenant: TestTenant, orderId: number) => request(api.server).post(`/v1/orders/${orderId}/cancel`).set(bearer(tenant.apiKey));

  describe('POST /v1/orders/:id/payments', () => {
    it('answers 201 with the Payment; a partial payment leaves the order pending', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(10_000) });
      const response = await pay(tenant, order.id, { amountCents: 2500, method: 'card' }).expect(201);
      expectPayment(response.body);
      expect(response.body).toMatchObject({ orderId: order.id, amountCents: 2500, method: 'card', status: 'captured' });
      const reread = await getOrder(tenant, order.id);
      expect(reread.body).toMatchObject({ status: 'pending', paidCents: 2500, totalCents: 10_000 });
      expect(reread.body.payments).toEqual([response.body]);
    });

    it('makes the order paid when paidCents reaches totalCents, with every method', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(600) });
      await pay(tenant, order.id, { amountCents: 100, method: 'card' }).expect(201);
      await pay(tenant, order.id, { amountCents: 200, method: 'bank_transfer' }).expect(201);
      await pay(tenant, order.id, { amountCents: 300, method: 'wallet' }).expect(201);
      const reread = await getOrder(tenant, order.id);
      expectOrder(reread.body, true);
      expect(reread.body).toMatchObject({ status: 'paid', paidCents: 600, totalCents: 600 });
      expect(reread.body.payments.map((payment: { method: string }) => payment.method)).toEqual(['card', 'bank_transfer', 'wallet']);
    });

    it('answers 409 for an amount above what is still owed, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(1000) });
      await pay(tenant, order.id, { amountCents: 400, method: 'card' }).expect(201);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      expectError(await pay(tenant, order.id, { amountCents: 601, method: 'card' }), 409);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
      expect((await getOrder(tenant, order.id)).body).toMatchObject({ status: 'pending', paidCents: 400 });
      await pay(tenant, order.id, { amountCents: 600, method: 'card' }).expect(201);
    });

    it('answers 409 on a cancelled order, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(1000) });
      await cancel(tenant, order.id).expect(200);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      expectError(await pay(tenant, order.id, { amountCents: 100, method: 'card' }), 409);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
      expect((await getOrder(tenant, order.id)).body).toMatchObject({ status: 'cancelled', paidCents: 0, payments: [] });
    });

    it('answers 409 on an order that is already paid', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(500) });
      await pay(tenant, order.id, { amountCents: 500, method: 'card' }).expect(201);
      expectError(await pay(tenant, order.id, { amountCents: 1, method: 'card' }), 409);
      expect((await getOrder(tenant, order.id)).body.payments).toHaveLength(1);
    });

    it('answers 404 for an order id that does not exist, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      await createOrder(api.server, tenant);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      expectError(await pay(tenant, 9007199254740991, { amountCents: 100, method: 'card' }), 404);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
    });
  });

  describe('POST /v1/orders/:id/cancel on paid and partly paid orders', () => {
    it('answers 409 for a paid order and leaves it paid', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(700) });
      await pay(tenant, order.id, { amountCents: 700, method: 'wallet' }).expect(201);
      const before = (await getOrder(tenant, order.id)).body;
      expectError(await cancel(tenant, order.id), 409);
      expect((await getOrder(tenant, order.id)).body).toEqual(before);
    });

    it('answers 200 for a partly paid (still pending) order and keeps its payments', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(700) });
      await pay(tenant, order.id, { amountCents: 300, method: 'card' }).expect(201);
      const response = await cancel(tenant, order.id).expect(200);
      expect(response.body).toMatchObject({ status: 'cancelled', paidCents: 300 });
      expect(response.body.payments).toHaveLength(1);
    });
  });

  describe('GET /v1/orders/:id/payments', () => {
    it('answers 200 with the payments of the order, oldest first', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: itemsWorth(1000) });
      const other = await createOrder(api.server, tenant, { items: itemsWorth(1000) });
      const first = (await pay(tenant, order.id, { amountCents: 100, method: 'card' }).expect(201)).body;
      await pay(tenant, other.id, { amountCents: 999, method: 'card' }).expect(201);
      const second = (await pay(tenant, order.id, { amountCents: 200, method: 'wallet' }).expect(201)).body;
      const response = await request(api.server).get(`/v1/orders/${order.id}/payments`).set(bearer(tenant.apiKey)).expect(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data).toEqual([first, second]);
      for (const payment of response.body.data) expectPayment(payment);
    });

    it('answers 200 with an empty list for an order without payments', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const response = await request(api.server).get(`/v1/orders/${order.id}/payments`).set(bearer(tenant.apiKey)).expect(200);
      expect(response.body).toEqual({ data: [] });
    });

    it('answers 404 for an order id that does not exist', async () => {
      const tenant = await createTenant(api.admin);
      expectError(await request(api.server).get('/v1/orders/9007199254740991/payments').set(bearer(tenant.apiKey)), 404);
    });
  });

  describe('concurrent payments', () => {
    it('never overpay: of 20 concurrent payments of X on an order of 10 X, exactly 10 succeed and 10 get 409', async () => {
      const tenant = await createTenant(api.admin);
      const amount = 1234;
      const order = await createOrder(api.server, tenant, { items: itemsWorth(10 * amount) });
      const responses = await Promise.all(Array.from({ length: 20 }, () => pay(tenant, order.id, { amountCents: amount, method: 'card' })));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      expect(statuses.filter((status) => status === 409)).toHaveLength(10);
      for (const response of responses.filter((candidate) => candidate.status === 409)) expectError(response, 409);

      const reread = await getOrder(tenant, order.id);
      expect(reread.body).toMatchObject({ status: 'paid', paidCents: 10 * amount, totalCents: 10 * amount });
      expect(reread.body.payments).toHaveLength(10);
      expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id))).toEqual(
        new Set(reread.body.payments.map((payment: { id: number }) => payment.id)),
      );
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual({ orders: 1, order_items: 1, payments: 10, refunds: 0 });
    });

    it('lets a concurrent cancel and payments settle into one consistent state', async () => {
      const tenant = await createTenant(api.admin);
      // Ten payments of 100 can never complete 2000: the order is pending until the cancel lands.
      const order = await createOrder(api.server, tenant, { items: itemsWorth(2000) });
      const responses = await Promise.all([
        ...Array.from({ length: 5 }, () => pay(tenant, order.id, { amountCents: 100, method: 'card' })),
        cancel(tenant, order.id),
        ...Array.from({ length: 5 }, () => pay(tenant, order.id, { amountCents: 100, method: 'card' })),
      ]);
      expect(responses[5].status).toBe(200);
      for (const response of responses.filter((_, index) => index !== 5)) expect([201, 409]).toContain(response.status);
      const captured = responses.filter((response) => response.status === 201).length;
      const reread = await getOrder(tenant, order.id);
      expect(reread.body.status).toBe('cancelled');
      expect(reread.body.paidCents).toBe(captured * 100);
      expect(reread.body.payments).toHaveLength(captured);
    });
  });

  describe('GET /v1/stats', () => {
    it('answers zeros for a tenant without orders', async () => {
      const tenant = await createTenant(api.admin);
      const response = await request(api.server).get('/v1/stats').set(bearer(tenant.apiKey)).expect(200);
      expect(response.body).toEqual({ orders: { total: 0, pending: 0, paid: 0, cancelled: 0 }, revenueCents: 0, paidCents: 0 });
    });

    it('counts orders by status; revenueCents excludes cancelled orders, paidCents sums every captured payment', async () => {
      const tenant = await createTenant(api.admin);
      const pending = await createOrder(api.server, tenant, { items: itemsWorth(1000) });
      const partlyPaid = await createOrder(api.server, tenant, { items: itemsWorth(2000) });
      const paid = await createOrder(api.server, tenant, { items: itemsWorth(3000) });
      const cancelled = await createOrder(api.server, tenant, { items: itemsWorth(4000) });
      const cancelledAfterPayment = await createOrder(api.server, tenant, { items: itemsWorth(5000) });
      await pay(tenant, partlyPaid.id, { amountCents: 500, method: 'card' }).expect(201);
      await pay(tenant, paid.id, { amountCents: 3000, method: 'card' }).expect(201);
      await cancel(tenant, cancelled.id).expect(200);
      await pay(tenant, cancelledAfterPayment.id, { amountCents: 700, method: 'wallet' }).expect(201);
      await cancel(tenant, cancelledAfterPayment.id).expect(200);
      expect(pending.status).toBe('pending');

      const response = await request(api.server).get('/v1/stats').set(bearer(tenant.apiKey)).expect(200);
      expect(response.body).toEqual({
        orders: { total: 5, pending: 2, paid: 1, cancelled: 2 },
        revenueCents: 1000 + 2000 + 3000,
        paidCents: 500 + 3000 + 700,
      });
    });
  });
});
