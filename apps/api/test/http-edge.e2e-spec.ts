import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, TEST_ADMIN_TOKEN } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/** Sends raw bytes and returns the whole answer once the server closes the connection. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parseRaw(answer: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, body] = answer.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe('The HTTP edge: what clients nobody here wrote see', () => {
  let api: TestApi;
  let port: number;

  beforeAll(async () => {
    api = await startTestApi({ METRICS_TOKEN, REQUEST_TIMEOUT_MS: '1500' });
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => api.close());

  describe("Node's own HTTP parser errors carry the error shape and a request id", () => {
    it.each([
      ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
      ['headers over the size limit', `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      [
        'a body shorter than its Content-Length',
        'POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
        408,
      ],
    ])('%s', async (_name, payload, status) => {
      const answer = parseRaw(await rawExchange(port, payload));
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body).toMatchObject({ statusCode: status, requestId: answer.headers['x-request-id'] });
      expect(typeof answer.body.message).toBe('string');
    });
  });

  it('401s carry WWW-Authenticate: Bearer', async () => {
    const response = await request(api.server).get('/v1/orders').expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('reads a JSON body compressed with %s', async (encoding, compress) => {
    const tenant = await createTenant(api.admin);
    const body = orderBody({ note: 'compressed' });
    // fetch sends the bytes as they are (supertest would serialize a Buffer as JSON).
    const response = await fetch(`http://127.0.0.1:${port}/v1/orders`, {
      method: 'POST',
      headers: { ...bearer(tenant.apiKey), 'Content-Type': 'application/json', 'Content-Encoding': encoding },
      body: compress(Buffer.from(JSON.stringify(body))),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ note: 'compressed', countryCode: body.countryCode });
  });

  it('serves a POST without a body whatever its Content-Type (curl -d "" sends a form type)', async () => {
    const tenant = await createTenant(api.admin);
    const order = await createOrder(api.server, tenant);
    const response = await request(api.server)
      .post(`/v1/orders/${order.id}/cancel`)
      .set(bearer(tenant.apiKey))
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('')
      .expect(200);
    expect(response.body).toMatchObject({ id: order.id, status: 'cancelled' });
  });

  it('tenant data is marked no-store and nosniff', async () => {
    const tenant = await createTenant(api.admin);
    const order = await createOrder(api.server, tenant);
    const response = await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(tenant.apiKey)).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  describe('GET /metrics with METRICS_TOKEN set', () => {
    it('answers only to that token: 401 without or with an unknown one, 403 for the admin token', async () => {
      const missing = await request(api.server).get('/metrics').expect(401);
      expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      await request(api.server).get('/metrics').set(bearer('not-the-metrics-token-at-all')).expect(401);
      await request(api.server).get('/metrics').set(bearer(TEST_ADMIN_TOKEN)).expect(403);
      const scrape = await request(api.server).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
      expect(scrape.text).toContain('# TYPE http_request_duration_seconds histogram');
    });

    it('keeps its label set bounded: unauthenticated requests to made-up paths add no series per URL', async () => {
      const scrape = async () => (await request(api.server).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200)).text;
      const series = (text: string) => text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count{')).length;
      for (let i = 0; i < 20; i += 1) await request(api.server).get(`/v1/x${i}/y`).expect(401);
      for (let i = 0; i < 20; i += 1) await request(api.server).get(`/nowhere/${i}`).expect(404);
      await scrape(); // the scrape's own series exists from here on
      const before = series(await scrape());
      for (let i = 20; i < 60; i += 1) await request(api.server).get(`/v1/x${i}/y`).expect(401);
      for (let i = 20; i < 60; i += 1) await request(api.server).get(`/nowhere/${i}`).expect(404);
      const after = await scrape();
      expect(series(after)).toBe(before);
      expect(after).not.toContain('/v1/x1');
      expect(after).not.toContain('/nowhere/');
      expect(after).toMatch(/route="unmatched",status="401"/);
    });
  });

  describe('the OpenAPI document agrees with the server', () => {
    let document: Record<string, any>;
    beforeAll(async () => {
      const tenantApi = (await request(api.server).get('/docs-json').expect(200)).body;
      const controlPlane = (await request(api.admin).get('/docs-json').expect(200)).body;
      document = {
        paths: { ...controlPlane.paths, ...tenantApi.paths },
        components: {
          schemas: { ...controlPlane.components.schemas, ...tenantApi.components.schemas },
          securitySchemes: { ...controlPlane.components.securitySchemes, ...tenantApi.components.securitySchemes },
        },
      };
    });

    it('documents GET /admin/tenants/hot as {"data": [...]}', async () => {
      const schema = document.paths['/admin/tenants/hot'].get.responses['200'].content['application/json'].schema;
      const target = document.components.schemas[schema.$ref.split('/').pop()];
      expect(target.properties.data.type).toBe('array');
      const answer = await request(api.admin).get('/admin/tenants/hot').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
      expect(Array.isArray(answer.body.data)).toBe(true);
    });

    it('declares placement so that null is valid', () => {
      const placement = document.components.schemas.TenantDetailsView.properties.placement;
      expect(placement.nullable).toBe(true);
      expect(placement.$ref).toBeUndefined();
    });

    it('lists the error statuses with the shared error schema and the headers of each operation', () => {
      const getOrder = document.paths['/v1/orders/{id}'].get.responses;
      for (const status of ['400', '401', '403', '404', '429', '503']) {
        expect(getOrder[status].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
        expect(getOrder[status].headers['X-Request-Id']).toBeDefined();
      }
      expect(getOrder['429'].headers['Retry-After']).toBeDefined();
      expect(getOrder['503'].headers['Retry-After']).toBeDefined();
      expect(getOrder['200'].headers['RateLimit-Remaining']).toBeDefined();
      expect(document.paths['/v1/orders'].post.responses['404']).toBeUndefined();
      expect(document.paths['/v1/orders'].post.responses['201'].headers['Idempotent-Replayed']).toBeDefined();
      expect(document.components.schemas.OrderView.properties.id.type).toBe('integer');
      expect(document.components.securitySchemes.apiKey.bearerFormat).not.toBe('JWT');
    });
  });
});
