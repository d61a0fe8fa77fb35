import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, tenantRowCounts, TestTenant } from '@app/testing';
import { expectError, expectOrder, expectTenant } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

describe('Orders (/v1/orders)', () => {
  let api: TestApi;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
  });
  afterAll(() => api.close());

  const v1 = () => ({
    get: (path: string) => request(api.server).get(path).set(bearer(tenant.apiKey)),
    post: (path: string) => request(api.server).post(path).set(bearer(tenant.apiKey)),
  });

  describe('GET /v1/tenant', () => {
    it("answers 200 with the caller's Tenant", async () => {
      const response = await v1().get('/v1/tenant').expect(200);
      expectTenant(response.body);
      expect(response.body).toMatchObject({ id: tenant.id, name: tenant.name, plan: 'enterprise', status: 'active' });
    });
  });

  describe('POST /v1/orders', () => {
    it('answers 201 with the order, its items and no payments; totals are computed by the server', async () => {
      const response = await v1()
        .post('/v1/orders')
        .send({
          countryCode: 'US',
          note: 'leave at the door',
          items: [
            { sku: 'SKU-A', quantity: 3, unitPriceCents: 1250 },
            { sku: 'SKU-B', quantity: 1, unitPriceCents: 499 },
          ],
        })
        .expect(201);
      expectOrder(response.body, true);
      expect(response.body).toMatchObject({
        status: 'pending',
        countryCode: 'US',
        currency: 'USD',
        note: 'leave at the door',
        totalCents: 3 * 1250 + 499,
        paidCents: 0,
        payments: [],
      });
      expect(response.body.items).toEqual([
        { id: expect.any(Number), sku: 'SKU-A', quantity: 3, unitPriceCents: 1250, lineTotalCents: 3750 },
        { id: expect.any(Number), sku: 'SKU-B', quantity: 1, unitPriceCents: 499, lineTotalCents: 499 },
      ]);
      expect(response.body.createdAt).toBe(response.body.updatedAt);
      expect(response.headers['idempotent-replayed']).toBeUndefined();
    });

    it("defaults the currency to the country's and the note to null", async () => {
      const countries = await v1().get('/v1/countries').expect(200);
      const germany = countries.body.data.find((country: { code: string }) => country.code === 'DE');
      const order = await createOrder(api.server, tenant, { countryCode: 'DE' });
      expect(order.currency).toBe(germany.currency);
      expect(order.note).toBeNull();
    });

    it('keeps an explicit currency', async () => {
      const order = await createOrder(api.server, tenant, { countryCode: 'US', currency: 'EUR' });
      expect(order.currency).toBe('EUR');
    });

    it('accepts the boundaries: 100 items, quantity 1 and 10000, price 0 and 100000000, sku of 64, note of 1000', async () => {
      const hundred = Array.from({ length: 100 }, (_, index) => ({ sku: `S${index}`, quantity: 1, unitPriceCents: 1 }));
      const many = await createOrder(api.server, tenant, { items: hundred, note: 'n'.repeat(1000) });
      expect(many.items).toHaveLength(100);
      expect(many.items.map((item: { sku: string }) => item.sku)).toEqual(hundred.map((item) => item.sku));
      expect(many.totalCents).toBe(100);
      expect(many.note).toHaveLength(1000);

      const big = await createOrder(api.server, tenant, {
        items: [
          { sku: 'x'.repeat(64), quantity: 10000, unitPriceCents: 100_000_000 },
          { sku: 'y', quantity: 1, unitPriceCents: 0 },
        ],
      });
      expect(big.totalCents).toBe(10000 * 100_000_000);
      expect(big.items[0].lineTotalCents).toBe(10000 * 100_000_000);
    });

    it('makes an order whose total is 0 paid from the start', async () => {
      const order = await createOrder(api.server, tenant, { items: [{ sku: 'FREE', quantity: 1, unitPriceCents: 0 }] });
      expect(order).toMatchObject({ status: 'paid', totalCents: 0, paidCents: 0 });
    });

    it('answers 400 with details for a country code that is not in /v1/countries, and writes nothing', async () => {
      const before = await tenantRowCounts(api.ownerUrl, tenant.id);
      const response = await v1()
        .post('/v1/orders')
        .send(orderBody({ countryCode: 'XX' }));
      expectError(response, 400, { field: 'countryCode' });
      expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
    });
  });

  describe('GET /v1/orders/:id', () => {
    it('answers 200 with the order exactly as it was created', async () => {
      const created = await createOrder(api.server, tenant);
      const response = await v1().get(`/v1/orders/${created.id}`).expect(200);
      expectOrder(response.body, true);
      expect(response.body).toEqual(created);
    });

    it('answers 404 for an id that does not exist', async () => {
      expectError(await v1().get('/v1/orders/9007199254740991'), 404);
    });
  });

  describe('GET /v1/orders', () => {
    it('answers 200 with a page of orders without items and payments', async () => {
      const own = await createTenant(api.admin);
      const first = await createOrder(api.server, own);
      const second = await createOrder(api.server, own);
      const response = await request(api.server).get('/v1/orders').set(bearer(own.apiKey)).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
      expect(response.body.nextCursor).toBeNull();
      expect(response.body.data.map((order: { id: number }) => order.id)).toEqual([second.id, first.id]);
      for (const order of response.body.data) expectOrder(order, false);
      const { items: _items, payments: _payments, ...summary } = second;
      expect(response.body.data[0]).toEqual(summary);
    });

    it('answers 200 with an empty page for a tenant without orders', async () => {
      const own = await createTenant(api.admin);
      const response = await request(api.server).get('/v1/orders').set(bearer(own.apiKey)).expect(200);
      expect(response.body).toEqual({ data: [], nextCursor: null });
    });
  });

  describe('POST /v1/orders/:id/cancel', () => {
    it('answers 200 with the cancelled order, items included', async () => {
      const created = await createOrder(api.server, tenant);
      const response = await v1().post(`/v1/orders/${created.id}/cancel`).expect(200);
      expectOrder(response.body, true);
      expect(response.body).toMatchObject({ id: created.id, status: 'cancelled', totalCents: created.totalCents, items: created.items });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      const reread = await v1().get(`/v1/orders/${created.id}`).expect(200);
      expect(reread.body).toEqual(response.body);
    });

    it('answers 409 when the order is already cancelled, and leaves it as it was', async () => {
      const created = await createOrder(api.server, tenant);
      const cancelled = await v1().post(`/v1/orders/${created.id}/cancel`).expect(200);
      expectError(await v1().post(`/v1/orders/${created.id}/cancel`), 409);
      expect((await v1().get(`/v1/orders/${created.id}`).expect(200)).body).toEqual(cancelled.body);
    });

    it('answers 404 for an id that does not exist', async () => {
      expectError(await v1().post('/v1/orders/9007199254740991/cancel'), 404);
    });
  });

  describe('GET /v1/countries and GET /v1/plans', () => {
    it('lists at least 30 countries with code, name, region and currency', async () => {
      const response = await v1().get('/v1/countries').expect(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data.length).toBeGreaterThanOrEqual(30);
      for (const country of response.body.data) {
        expect(Object.keys(country).sort()).toEqual(['code', 'currency', 'name', 'region']);
        expect(country.code).toMatch(/^[A-Z]{2}$/);
        expect(country.currency).toMatch(/^[A-Z]{3}$/);
        expect(country.name.length).toBeGreaterThan(0);
        expect(country.region.length).toBeGreaterThan(0);
      }
      const codes = response.body.data.map((country: { code: string }) => country.code);
      expect(new Set(codes).size).toBe(codes.length);
      expect(response.body.data.find((country: { code: string }) => country.code === 'US')).toMatchObject({ currency: 'USD' });
    });

    it('lists the plans, among them free, pro and enterprise', async () => {
      const response = await v1().get('/v1/plans').expect(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      // Other test files add plans of their own to the shared database.
      expect(response.body.data.map((plan: { id: string }) => plan.id)).toEqual(expect.arrayContaining(['enterprise', 'free', 'pro']));
      for (const plan of response.body.data) {
        expect(typeof plan.id).toBe('string');
        expect(typeof plan.name).toBe('string');
        expect(Number.isSafeInteger(plan.requestsPerMinute)).toBe(true);
        expect(Number.isSafeInteger(plan.maxItemsPerOrder)).toBe(true);
      }
    });
  });
});
