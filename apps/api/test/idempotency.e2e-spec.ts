import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, tenantRowCounts, TestTenant } from '@app/testing';
import { expectError, expectOrder, expectPayment } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

describe('Idempotency-Key on POST /v1/orders, payments and refunds', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const postOrder = (tenant: TestTenant, key: string | undefined, body: object) => {
    const call = request(api.server).post('/v1/orders').set(bearer(tenant.apiKey));
    if (key !== undefined) call.set('Idempotency-Key', key);
    return call.send(body);
  };
  const postPayment = (tenant: TestTenant, orderId: number, key: string | undefined, body: object) => {
    const call = request(api.server).post(`/v1/orders/${orderId}/payments`).set(bearer(tenant.apiKey));
    if (key !== undefined) call.set('Idempotency-Key', key);
    return call.send(body);
  };

  describe('orders', () => {
    it('replays the same key with the same body: same order, Idempotent-Replayed: true, one row', async () => {
      const tenant = await createTenant(api.admin);
      const key = `order-${randomUUID()}`;
      const first = await postOrder(tenant, key, orderBody()).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await postOrder(tenant, key, orderBody()).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expectOrder(again.body, true);
      expect(again.body).toEqual(first.body);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual({ orders: 1, order_items: 2, payments: 0, refunds: 0 });
    });

    it('treats a body with the same fields in another order as the same body', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const first = await postOrder(tenant, key, { countryCode: 'US', items: [{ sku: 'A', quantity: 1, unitPriceCents: 5 }] }).expect(201);
      const again = await postOrder(tenant, key, { items: [{ unitPriceCents: 5, quantity: 1, sku: 'A' }], countryCode: 'US' }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
    });

    it('still replays the same order after it was cancelled, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const first = await postOrder(tenant, key, orderBody()).expect(201);
      await request(api.server).post(`/v1/orders/${first.body.id}/cancel`).set(bearer(tenant.apiKey)).expect(200);
      const again = await postOrder(tenant, key, orderBody()).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).orders).toBe(1);
    });

    it('answers 409 for the same key with a different body, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const first = await postOrder(tenant, key, orderBody()).expect(201);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      expectError(await postOrder(tenant, key, orderBody({ note: 'different' })), 409);
      expectError(await postOrder(tenant, key, orderBody({ countryCode: 'DE' })), 409);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
      const reread = await request(api.server).get(`/v1/orders/${first.body.id}`).set(bearer(tenant.apiKey)).expect(200);
      expect(reread.body).toEqual(first.body);
    });

    it('creates a new order for a new key, and for a request without a key every time', async () => {
      const tenant = await createTenant(api.admin);
      const a = await postOrder(tenant, randomUUID(), orderBody()).expect(201);
      const b = await postOrder(tenant, randomUUID(), orderBody()).expect(201);
      const c = await postOrder(tenant, undefined, orderBody()).expect(201);
      const d = await postOrder(tenant, undefined, orderBody()).expect(201);
      expect(new Set([a.body.id, b.body.id, c.body.id, d.body.id]).size).toBe(4);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).orders).toBe(4);
    });

    it('accepts a key of 200 characters', async () => {
      const tenant = await createTenant(api.admin);
      const key = 'k'.repeat(200);
      const first = await postOrder(tenant, key, orderBody()).expect(201);
      const again = await postOrder(tenant, key, orderBody()).expect(201);
      expect(again.body.id).toBe(first.body.id);
    });

    it('writes exactly one order under 20 concurrent identical requests, all 201 with the same id', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 20 }, () => postOrder(tenant, key, orderBody())));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
      const ids = new Set(responses.map((response) => response.body.id));
      expect(ids.size).toBe(1);
      expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      for (const response of responses) expect(response.body).toEqual(responses[0].body);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual({ orders: 1, order_items: 2, payments: 0, refunds: 0 });
    });

    it('under concurrent requests with one key and two bodies, writes one order and answers 409 to the other body', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) => postOrder(tenant, key, orderBody({ note: index % 2 === 0 ? 'even' : 'odd' }))),
      );
      const created = responses.filter((response) => response.status === 201);
      const conflicts = responses.filter((response) => response.status === 409);
      expect(created.length + conflicts.length).toBe(10);
      expect(new Set(created.map((response) => response.body.note)).size).toBe(1);
      expect(new Set(created.map((response) => response.body.id)).size).toBe(1);
      expect(created).toHaveLength(5);
      for (const response of conflicts) expectError(response, 409);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).orders).toBe(1);
    });
  });

  describe('payments', () => {
    it('replays the same key with the same body: same payment, Idempotent-Replayed: true, paid once', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const key = randomUUID();
      const first = await postPayment(tenant, order.id, key, { amountCents: 100, method: 'card' }).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await postPayment(tenant, order.id, key, { method: 'card', amountCents: 100 }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expectPayment(again.body);
      expect(again.body).toEqual(first.body);
      const reread = await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
      expect(reread.body.paidCents).toBe(100);
      expect(reread.body.payments).toEqual([first.body]);
    });

    it('replays a payment even when the order has since become paid', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: [{ sku: 'A', quantity: 1, unitPriceCents: 300 }] });
      const key = randomUUID();
      const first = await postPayment(tenant, order.id, key, { amountCents: 300, method: 'wallet' }).expect(201);
      const again = await postPayment(tenant, order.id, key, { amountCents: 300, method: 'wallet' }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).payments).toBe(1);
    });

    it('answers 409 for the same key with a different amount, method or order, and writes nothing', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const otherOrder = await createOrder(api.server, tenant);
      const key = randomUUID();
      await postPayment(tenant, order.id, key, { amountCents: 100, method: 'card' }).expect(201);
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      expectError(await postPayment(tenant, order.id, key, { amountCents: 101, method: 'card' }), 409);
      expectError(await postPayment(tenant, order.id, key, { amountCents: 100, method: 'wallet' }), 409);
      expectError(await postPayment(tenant, otherOrder.id, key, { amountCents: 100, method: 'card' }), 409);
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
      const other = await request(api.server).get(`/v1/orders/${otherOrder.id}`).set(bearer(tenant.apiKey)).expect(200);
      expect(other.body).toMatchObject({ paidCents: 0, payments: [] });
    });

    it('does not store a refused payment under its key: a retry after the refusal is judged again', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant, { items: [{ sku: 'A', quantity: 1, unitPriceCents: 100 }] });
      const key = randomUUID();
      expectError(await postPayment(tenant, order.id, key, { amountCents: 101, method: 'card' }), 409);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).payments).toBe(0);
      expectError(await postPayment(tenant, order.id, key, { amountCents: 101, method: 'card' }), 409);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).payments).toBe(0);
    });

    it('writes exactly one payment under 20 concurrent identical requests, all 201 with the same id', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 20 }, () => postPayment(tenant, order.id, key, { amountCents: 250, method: 'card' })));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      const reread = await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
      expect(reread.body.paidCents).toBe(250);
      expect(reread.body.payments).toHaveLength(1);
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).payments).toBe(1);
    });

    it('gives every concurrent retry of a payment for the whole amount the stored payment, never a refusal caused by its own success', async () => {
      const tenant = await createTenant(api.admin);
      for (let round = 0; round < 8; round += 1) {
        const order = await createOrder(api.server, tenant, { items: [{ sku: 'A', quantity: 1, unitPriceCents: 700 }] });
        const key = randomUUID();
        const responses = await Promise.all(Array.from({ length: 6 }, () => postPayment(tenant, order.id, key, { amountCents: 700, method: 'card' })));
        expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
        expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
        expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
      }
      expect((await tenantRowCounts(api.ownerUrl, tenant.id)).payments).toBe(8);
    });

    it('keeps order and payment keys apart: one key may be used for both', async () => {
      const tenant = await createTenant(api.admin);
      const key = randomUUID();
      const order = await postOrder(tenant, key, orderBody()).expect(201);
      const payment = await postPayment(tenant, order.body.id, key, { amountCents: 100, method: 'card' }).expect(201);
      expect(payment.headers['idempotent-replayed']).toBeUndefined();
    });
  });
});
