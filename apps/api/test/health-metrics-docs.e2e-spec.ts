import request from 'supertest';
import { bearer, createOrder, createTenant } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

describe('Health, metrics and docs: public, no credentials needed', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  describe('GET /health/live', () => {
    it('answers 200 JSON', async () => {
      const response = await request(api.server).get('/health/live').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ status: 'ok' });
      expect(response.headers['x-request-id']).toBeDefined();
    });
  });

  describe('GET /health/ready', () => {
    it('answers 200 with the database up while the database is reachable and migrated', async () => {
      const response = await request(api.server).get('/health/ready').expect(200);
      expect(response.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    });
  });

  describe('GET /metrics', () => {
    it('answers 200 Prometheus text with http_request_duration_seconds labelled by route pattern, not by URL', async () => {
      const tenant = await createTenant(api.admin);
      const order = await createOrder(api.server, tenant);
      await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);

      const response = await request(api.server).get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toContain('# TYPE http_request_duration_seconds histogram');
      const buckets = response.text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_bucket{'));
      expect(buckets.length).toBeGreaterThan(0);
      expect(buckets.some((line) => line.includes('route="/v1/orders/:id"') && line.includes('status="200"'))).toBe(true);
      expect(buckets.some((line) => line.includes(`/v1/orders/${order.id}"`))).toBe(false);
      expect(response.text).toMatch(/^process_cpu_seconds_total /m);
    });
  });

  describe('GET /docs and GET /docs-json', () => {
    it('serves the OpenAPI UI as HTML', async () => {
      const response = await request(api.server).get('/docs').redirects(1).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text.toLowerCase()).toContain('swagger');
    });

    it('serve, per service, an OpenAPI document with every route of the contract', async () => {
      const tenantApi = await request(api.server).get('/docs-json').expect(200);
      const controlPlane = await request(api.admin).get('/docs-json').expect(200);
      expect(tenantApi.headers['content-type']).toMatch(/^application\/json/);
      expect(tenantApi.body.openapi).toMatch(/^3\./);
      const documented = (document: { paths: Record<string, Record<string, unknown>> }, path: string, method: string) =>
        Boolean(document.paths[path]?.[method]);
      const tenantRoutes: Array<[string, string]> = [
        ['/v1/tenant', 'get'],
        ['/v1/countries', 'get'],
        ['/v1/plans', 'get'],
        ['/v1/orders', 'post'],
        ['/v1/orders', 'get'],
        ['/v1/orders/{id}', 'get'],
        ['/v1/orders/{id}/cancel', 'post'],
        ['/v1/orders/{id}/payments', 'post'],
        ['/v1/orders/{id}/payments', 'get'],
        ['/v1/stats', 'get'],
        ['/health/live', 'get'],
        ['/health/ready', 'get'],
      ];
      const adminRoutes: Array<[string, string]> = [
        ['/admin/tenants', 'post'],
        ['/admin/tenants', 'get'],
        ['/admin/tenants/{id}', 'get'],
        ['/admin/tenants/{id}', 'patch'],
        ['/admin/tenants/{id}', 'delete'],
        ['/admin/tenants/{id}/api-keys', 'post'],
        ['/admin/tenants/{id}/api-keys/{keyId}', 'delete'],
        ['/admin/tenants/{id}/export', 'get'],
        ['/admin/tenants/hot', 'get'],
        ['/admin/tenants/{id}/isolate', 'post'],
        ['/admin/cluster', 'get'],
        ['/admin/cluster/rebalance', 'post'],
        ['/admin/cluster/rebalance', 'get'],
        ['/health/live', 'get'],
        ['/health/ready', 'get'],
      ];
      for (const [path, method] of tenantRoutes)
        expect({ path, method, documented: documented(tenantApi.body, path, method) }).toEqual({ path, method, documented: true });
      for (const [path, method] of adminRoutes)
        expect({ path, method, documented: documented(controlPlane.body, path, method) }).toEqual({ path, method, documented: true });
      expect(Object.keys(tenantApi.body.paths).filter((path) => path.startsWith('/admin'))).toEqual([]);
      expect(Object.keys(controlPlane.body.paths).filter((path) => path.startsWith('/v1'))).toEqual([]);
      const createOrderOperation = tenantApi.body.paths['/v1/orders'].post as {
        parameters?: Array<{ name: string; in: string }>;
        responses: Record<string, unknown>;
      };
      expect(createOrderOperation.responses['201']).toBeDefined();
      expect(createOrderOperation.parameters?.some((parameter) => parameter.name === 'Idempotency-Key' && parameter.in === 'header')).toBe(true);
      expect(Object.keys(tenantApi.body.components.securitySchemes)).toEqual(['apiKey']);
      expect(Object.keys(controlPlane.body.components.securitySchemes)).toEqual(['adminToken']);
    });

    it('the tenant API does not serve /admin: it answers 404', async () => {
      const response = await request(api.server)
        .get('/admin/tenants')
        .set('Authorization', `Bearer ${api.environment.ADMIN_TOKEN ?? ''}`);
      expect(response.status).toBe(404);
      expect((await request(api.server).get('/admin/ui')).status).toBe(404);
    });
  });
});
