import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, TestTenant, withOwner } from '@app/testing';
import { expectError } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

describe('Refunds (POST and GET /v1/orders/:id/payments/:paymentId/refunds)', () => {
  let api: TestApi;
  let tenant: TestTenant;
  let orderId: number;
  let paymentId: number;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  beforeEach(async () => {
    tenant = await createTenant(api.admin);
    orderId = (await createOrder(api.server, tenant, { items: [{ sku: 'R', quantity: 1, unitPriceCents: 1000 }] })).id;
    paymentId = (
      await request(api.server).post(`/v1/orders/${orderId}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 1000, method: 'card' }).expect(201)
    ).body.id;
  });

  const refund = (body: object, order = orderId, payment = paymentId, key = tenant.apiKey) =>
    request(api.server).post(`/v1/orders/${order}/payments/${payment}/refunds`).set(bearer(key)).send(body);
  const refundWithKey = (idempotencyKey: string, body: object, payment = paymentId) =>
    request(api.server).post(`/v1/orders/${orderId}/payments/${payment}/refunds`).set(bearer(tenant.apiKey)).set('Idempotency-Key', idempotencyKey).send(body);
  const refundedCents = () =>
    withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query(`SELECT coalesce(sum(amount_cents), 0)::int AS total, count(*)::int AS count FROM refunds WHERE tenant_id = $1`, [
        tenant.id,
      ]);
      return rows[0] as { total: number; count: number };
    });

  it('refunds part of a payment, then the rest, and lists them oldest first', async () => {
    const first = await refund({ amountCents: 300, reason: 'one broken' }).expect(201);
    expect(first.body).toEqual({ id: expect.any(Number), paymentId, amountCents: 300, reason: 'one broken', createdAt: expect.any(String) });
    const second = await refund({ amountCents: 700 }).expect(201);
    expect(second.body.reason).toBeNull();
    const list = await request(api.server).get(`/v1/orders/${orderId}/payments/${paymentId}/refunds`).set(bearer(tenant.apiKey)).expect(200);
    expect(list.body).toEqual({ data: [first.body, second.body] });
  });

  it('lists no refunds of a payment never refunded, and 404 for an unknown payment', async () => {
    const list = await request(api.server).get(`/v1/orders/${orderId}/payments/${paymentId}/refunds`).set(bearer(tenant.apiKey)).expect(200);
    expect(list.body).toEqual({ data: [] });
    expectError(await request(api.server).get(`/v1/orders/${orderId}/payments/999999999/refunds`).set(bearer(tenant.apiKey)), 404);
  });

  it('answers 409 for more than is left to refund, writing nothing', async () => {
    await refund({ amountCents: 600 }).expect(201);
    const refused = await refund({ amountCents: 401 });
    expectError(refused, 409);
    expect(refused.body.message).toContain('400 left');
    const list = await request(api.server).get(`/v1/orders/${orderId}/payments/${paymentId}/refunds`).set(bearer(tenant.apiKey)).expect(200);
    expect(list.body.data).toHaveLength(1);
  });

  it('never refunds more than was paid under concurrent refunds', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => refund({ amountCents: 300 })));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(3);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(7);
    const total = await withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query(`SELECT coalesce(sum(amount_cents), 0)::int AS total FROM refunds WHERE tenant_id = $1 AND payment_id = $2`, [
        tenant.id,
        paymentId,
      ]);
      return rows[0].total as number;
    });
    expect(total).toBe(900);
  });

  describe('Idempotency-Key', () => {
    it('replays the same key with the same body: same refund, Idempotent-Replayed: true, refunded once', async () => {
      const key = randomUUID();
      const first = await refundWithKey(key, { amountCents: 400, reason: 'late' }).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await refundWithKey(key, { reason: 'late', amountCents: 400 }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await refundedCents()).toEqual({ total: 400, count: 1 });
    });

    it('replays a refund even when nothing is left to refund since', async () => {
      const key = randomUUID();
      const first = await refundWithKey(key, { amountCents: 1000 }).expect(201);
      const again = await refundWithKey(key, { amountCents: 1000 }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
    });

    it('answers 409 for the same key with another amount, reason or payment, and writes nothing', async () => {
      const key = randomUUID();
      await refundWithKey(key, { amountCents: 100 }).expect(201);
      expectError(await refundWithKey(key, { amountCents: 101 }), 409);
      expectError(await refundWithKey(key, { amountCents: 100, reason: 'other' }), 409);
      const otherOrder = await createOrder(api.server, tenant, { items: [{ sku: 'R', quantity: 1, unitPriceCents: 100 }] });
      const otherPayment = await request(api.server)
        .post(`/v1/orders/${otherOrder.id}/payments`)
        .set(bearer(tenant.apiKey))
        .send({ amountCents: 100, method: 'card' })
        .expect(201);
      const crossed = await request(api.server)
        .post(`/v1/orders/${otherOrder.id}/payments/${otherPayment.body.id}/refunds`)
        .set(bearer(tenant.apiKey))
        .set('Idempotency-Key', key)
        .send({ amountCents: 100 });
      expectError(crossed, 409);
      expect(await refundedCents()).toEqual({ total: 100, count: 1 });
    });

    it('does not store a refused refund under its key', async () => {
      const key = randomUUID();
      expectError(await refundWithKey(key, { amountCents: 1001 }), 409);
      expect(await refundedCents()).toEqual({ total: 0, count: 0 });
    });

    it('writes exactly one refund under concurrent retries of the whole amount, each answered with it', async () => {
      for (let round = 0; round < 4; round += 1) {
        const order = await createOrder(api.server, tenant, { items: [{ sku: 'R', quantity: 1, unitPriceCents: 500 }] });
        const payment = await request(api.server).post(`/v1/orders/${order.id}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 500, method: 'card' });
        const key = randomUUID();
        const responses = await Promise.all(
          Array.from({ length: 6 }, () =>
            request(api.server)
              .post(`/v1/orders/${order.id}/payments/${payment.body.id}/refunds`)
              .set(bearer(tenant.apiKey))
              .set('Idempotency-Key', key)
              .send({ amountCents: 500 }),
          ),
        );
        expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
        expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
        expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
      }
      expect(await refundedCents()).toEqual({ total: 2000, count: 4 });
    });
  });

  it("answers 404 for a payment of another order, an unknown payment, and another tenant's payment", async () => {
    const otherOrder = (await createOrder(api.server, tenant)).id;
    expectError(await refund({ amountCents: 1 }, otherOrder), 404);
    expectError(await refund({ amountCents: 1 }, orderId, 999_999_999), 404);
    const intruder = await createTenant(api.admin);
    expectError(await refund({ amountCents: 1 }, orderId, paymentId, intruder.apiKey), 404);
    expectError(await request(api.server).get(`/v1/orders/${orderId}/payments/${paymentId}/refunds`).set(bearer(intruder.apiKey)), 404);
  });

  it.each([
    ['no amount', {}, 'amountCents'],
    ['a zero amount', { amountCents: 0 }, 'amountCents'],
    ['a fractional amount', { amountCents: 1.5 }, 'amountCents'],
    ['a reason of 501 characters', { amountCents: 1, reason: 'x'.repeat(501) }, 'reason'],
    ['an unknown field', { amountCents: 1, currency: 'USD' }, 'currency'],
  ])('refuses %s with 400', async (_name, body, field) => {
    expectError(await refund(body), 400, { field });
  });

  it('refuses a malformed payment id with 400 naming it', async () => {
    expectError(await refund({ amountCents: 1 }, orderId, 'abc' as unknown as number), 400, { field: 'paymentId' });
  });
});
