import request from 'supertest';
import { bearer, createOrder, createTenant } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

describe('API on a real database', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('creates and reads back an order', async () => {
    const tenant = await createTenant(api.admin);
    const order = await createOrder(api.server, tenant);
    const response = await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
    expect(response.body).toEqual(order);
  });
});
