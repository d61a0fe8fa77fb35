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
    tenant = await createTenant(api.server);
    orderId = (await createOrder(api.server, tenant, { items: [{ sku: 'R', quantity: 1, unitPriceCents: 1000 }] })).id;
    paymentId = (
      await request(api.server).post(`/v1/orders/${orderId}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 1000, method: 'card' }).expect(201)
    ).body.id;
  });

  const refund = (body: object, order = orderId, payment = paymentId, key = tenant.apiKey) =>
    request(api.server).post(`/v1/orders/${order}/payments/${payment}/refunds`).set(bearer(key)).send(body);

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

  it("answers 404 for a payment of another order, an unknown payment, and another tenant's payment", async () => {
    const otherOrder = (await createOrder(api.server, tenant)).id;
    expectError(await refund({ amountCents: 1 }, otherOrder), 404);
    expectError(await refund({ amountCents: 1 }, orderId, 999_999_999), 404);
    const intruder = await createTenant(api.server);
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
