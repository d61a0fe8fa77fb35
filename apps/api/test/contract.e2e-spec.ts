import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import request from 'supertest';
import { apiClient, bearer, controlPlaneClient, createOrder, createTenant, tenantRowCounts, TEST_ADMIN_TOKEN, TestTenant } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

type Schema = Record<string, any>;
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: Array<Record<string, string[]>>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
const read = (file: string) => JSON.parse(readFileSync(join(__dirname, '../../../docs', file), 'utf8')) as Document;
const tenantApiDocument = read('openapi.json');
const controlPlaneDocument = read('control-plane.openapi.json');
/** The two services share the error shape and the tenant's schemas, defined alike in both. */
const document: Document = {
  paths: { ...controlPlaneDocument.paths, ...tenantApiDocument.paths },
  components: { schemas: { ...controlPlaneDocument.components.schemas, ...tenantApiDocument.components.schemas } },
};
const operationsOf = (source: Document, service: 'api' | 'controlPlane') =>
  Object.entries(source.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation, service })));
const operations = [...operationsOf(tenantApiDocument, 'api'), ...operationsOf(controlPlaneDocument, 'controlPlane')];

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: document.components }, 'openapi');
const fixRefs = (schema: Schema): Schema => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'));
const validatorFor = (schema: Schema) => ajv.compile(fixRefs(schema));
const resolve = (schema: Schema): Schema => (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema);

describe('The contract, exercised through the typed client generated from the document', () => {
  let api: TestApi;
  let baseUrl: string;
  let controlPlaneUrl: string;

  beforeAll(async () => {
    api = await startTestApi();
    await api.app.listen(0, '127.0.0.1');
    await api.controlPlane.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    controlPlaneUrl = `http://127.0.0.1:${(api.controlPlane.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => api.close());

  it('creates a tenant, an order, a payment, and reads them back', async () => {
    const admin = controlPlaneClient(controlPlaneUrl, TEST_ADMIN_TOKEN);
    const created = await admin.POST('/admin/tenants', { body: { name: 'typed client', plan: 'pro' } });
    expect(created.response.status).toBe(201);
    const tenant = apiClient(baseUrl, created.data!.apiKey);
    const order = await tenant.POST('/v1/orders', { body: { countryCode: 'US', items: [{ sku: 'A', quantity: 2, unitPriceCents: 500 }] } });
    expect(order.data).toMatchObject({ status: 'pending', totalCents: 1000 });
    const payment = await tenant.POST('/v1/orders/{id}/payments', { params: { path: { id: order.data!.id } }, body: { amountCents: 1000, method: 'card' } });
    expect(payment.data).toMatchObject({ amountCents: 1000, status: 'captured' });
    const read = await tenant.GET('/v1/orders/{id}', { params: { path: { id: order.data!.id } } });
    expect(read.data).toMatchObject({ status: 'paid', paidCents: 1000, items: [{ sku: 'A' }], payments: [{ id: payment.data!.id }] });
    const missing = await tenant.GET('/v1/orders/{id}', { params: { path: { id: 999_999_999 } } });
    expect(missing.error).toMatchObject({ statusCode: 404 });
    const stats = await tenant.GET('/v1/stats');
    expect(stats.data).toEqual({ orders: { total: 1, pending: 0, paid: 1, cancelled: 0 }, revenueCents: 1000, paidCents: 1000 });
    const details = await admin.GET('/admin/tenants/{id}', { params: { path: { id: created.data!.tenant.id } } });
    expect(details.data?.id).toBe(created.data!.tenant.id);
  });

  describe("route-enumerating isolation: every /v1 operation that takes an id, with another tenant's ids", () => {
    /** How to call each /v1 operation with an id; an operation missing here fails the test. */
    const probes: Record<string, { body?: object }> = {
      'get /v1/orders/{id}': {},
      'post /v1/orders/{id}/cancel': {},
      'post /v1/orders/{id}/payments': { body: { amountCents: 1, method: 'card' } },
      'get /v1/orders/{id}/payments': {},
      'post /v1/orders/{id}/payments/{paymentId}/refunds': { body: { amountCents: 1 } },
      'get /v1/orders/{id}/payments/{paymentId}/refunds': {},
    };
    const withIds = operations.filter(({ path }) => path.startsWith('/v1') && path.includes('{'));

    it('has a probe for every such operation in the document', () => {
      expect(withIds.map(({ method, path }) => `${method} ${path}`).filter((key) => !probes[key])).toEqual([]);
    });

    it.each(withIds.map(({ method, path }) => [`${method.toUpperCase()} ${path}`, method, path] as const))(
      '%s answers 404 and changes nothing',
      async (_name, method, path) => {
        const a = await createTenant(api.admin);
        const b = await createTenant(api.admin);
        const order = await createOrder(api.server, b);
        const payment = await request(api.server)
          .post(`/v1/orders/${order.id}/payments`)
          .set(bearer(b.apiKey))
          .send({ amountCents: 100, method: 'card' })
          .expect(201);
        const before = {
          counts: await tenantRowCounts(api.ownerUrl, b.id),
          order: (await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(b.apiKey))).body,
        };
        const probe = probes[`${method} ${path}`];
        const url = path.replace('{id}', String(order.id)).replace('{paymentId}', String(payment.body.id));
        const call = (request(api.server) as any)[method](url).set(bearer(a.apiKey));
        const response = probe.body ? await call.send(probe.body) : await call;
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
        expect(JSON.stringify(response.body)).not.toContain(b.id);
        const after = {
          counts: await tenantRowCounts(api.ownerUrl, b.id),
          order: (await request(api.server).get(`/v1/orders/${order.id}`).set(bearer(b.apiKey))).body,
        };
        expect(after).toEqual(before);
      },
    );
  });

  describe('property-based: generated valid and invalid requests for every operation', () => {
    const RUNS_PER_OPERATION = Number(process.env.CONTRACT_FUZZ_RUNS ?? 1000);
    /** Bounded in time as well as in count: a slow machine checks fewer cases, never hangs. */
    const SECONDS_PER_OPERATION = 30;
    let tenant: TestTenant;
    let orderIds: number[];
    const tally = { requests: 0, statuses: {} as Record<number, number>, started: 0 };

    beforeAll(async () => {
      tenant = await createTenant(api.admin);
      orderIds = [];
      for (let index = 0; index < 3; index += 1) orderIds.push((await createOrder(api.server, tenant)).id);
      tally.started = Date.now();
    });
    afterAll(() => {
      process.stdout.write(
        `[contract fuzz] ${tally.requests} requests in ${((Date.now() - tally.started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(tally.statuses)}\n`,
      );
    });

    const errorShape = validatorFor({ $ref: '#/components/schemas/ErrorBody' });

    /** Values that fit a schema, from its own constraints. */
    const valid = (raw: Schema): fc.Arbitrary<unknown> => {
      const schema = resolve(raw);
      if (schema.allOf) return valid(schema.allOf[0]);
      if (schema.enum) return fc.constantFrom(...schema.enum);
      switch (schema.type) {
        case 'integer':
          return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER) });
        case 'number':
          return fc.double({ noNaN: true, min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
        case 'boolean':
          return fc.boolean();
        case 'array':
          return fc.array(valid(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
        case 'object':
          return fc.record(Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, valid(property as Schema)])), {
            requiredKeys: schema.required ?? [],
          });
        case 'string':
          if (schema.format === 'uuid') return fc.uuid();
          if (schema.format === 'date-time')
            return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
          if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
          return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 20) });
        default:
          return fc.anything();
      }
    };
    /** Mostly-valid values, with an invalid one a third of the time. */
    const sometimesInvalid = (schema: Schema) =>
      fc.oneof({ weight: 2, arbitrary: valid(schema) }, { weight: 1, arbitrary: fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.constant(null)) });

    const tokenFor = (path: string) => (path.startsWith('/v1') ? tenant.apiKey : TEST_ADMIN_TOKEN);
    const exercised = operations.filter(({ path }) => !path.startsWith('/health'));

    it.each(
      exercised.map(({ method, path, operation, service }) => [`${method.toUpperCase()} ${path} (${service})`, method, path, operation, service] as const),
    )(
      '%s: never a 5xx, errors in the shape, successes as documented',
      async (_name, method, path, operation, service) => {
        const pathParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        const queryParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
        const bodySchema = operation.requestBody?.content['application/json']?.schema;
        // Ids never empty: an empty one addresses another route (/v1/orders/ is the list).
        const idValue = (schema: Schema) =>
          resolve(schema).format === 'uuid'
            ? fc.oneof(fc.uuid(), fc.string({ minLength: 1 }))
            : fc.oneof(fc.constantFrom(...orderIds), fc.integer(), fc.string({ minLength: 1, maxLength: 12 }));
        const arbitrary = fc.record({
          path: fc.tuple(...pathParameters.map((parameter) => idValue(parameter.schema))),
          query: fc.tuple(...queryParameters.map((parameter) => fc.option(sometimesInvalid(parameter.schema), { nil: undefined }))),
          body: bodySchema ? sometimesInvalid(bodySchema) : fc.constant(undefined),
        });
        await fc.assert(
          fc.asyncProperty(arbitrary, async (generated) => {
            let url = path;
            pathParameters.forEach((parameter, index) => (url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(generated.path[index])))));
            const query = new URLSearchParams();
            queryParameters.forEach((parameter, index) => {
              const value = generated.query[index];
              if (value !== undefined) query.set(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
            });
            if ([...query].length > 0) url += `?${query.toString()}`;
            let call = (request(service === 'api' ? api.server : api.admin) as any)[method](url).set(bearer(tokenFor(path)));
            if (generated.body !== undefined) call = call.set('Content-Type', 'application/json').send(JSON.stringify(generated.body));
            const response = await call;
            tally.requests += 1;
            tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
            const context = `${method.toUpperCase()} ${url} ${JSON.stringify(generated.body)} -> ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
            if (response.status >= 500 && response.status !== 503) throw new Error(`5xx: ${context}`);
            const documented = operation.responses[String(response.status)];
            if (!documented) throw new Error(`undocumented status: ${context}`);
            if (response.status >= 400) {
              if (!errorShape(response.body)) throw new Error(`error outside the shape: ${context}`);
              return;
            }
            const schema = documented.content?.['application/json']?.schema;
            if (schema && !validatorFor(schema)(response.body)) throw new Error(`response does not match its schema: ${context}`);
          }),
          { seed: 20261128, numRuns: RUNS_PER_OPERATION, plugins: [fc.interruptAfterTimeLimit(SECONDS_PER_OPERATION * 1000)] },
        );
      },
      120_000,
    );
  });
});
