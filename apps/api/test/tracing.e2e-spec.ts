import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types';
import { validateEnvironment } from '@app/config';
import { BuiltApi, buildApi, createTenant, startBuiltApi, TEST_ADMIN_TOKEN, TEST_API_KEY_SECRET, testEndpoints } from '@app/testing';
import { createControlPlaneApp } from '../../control-plane/src/bootstrap/create-control-plane-app';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const SPAN_KIND_SERVER = 2;
const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((candidate) => candidate.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

/** A real OTLP/HTTP receiver (JSON encoding), as a collector would run it: it keeps every export it is sent. */
async function startOtlpReceiver(): Promise<{ server: Server; endpoint: string; exports: OtlpExport[] }> {
  const exports: OtlpExport[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') exports.push(JSON.parse(body) as OtlpExport);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

describe('Tracing: a tenant request as an OpenTelemetry trace', () => {
  const endpoints = testEndpoints();
  let controlPlane: INestApplication;
  let admin: App;
  let api: BuiltApi;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

  beforeAll(async () => {
    await buildApi();
    receiver = await startOtlpReceiver();
    controlPlane = await createControlPlaneApp(
      validateEnvironment({ ADMIN_TOKEN: TEST_ADMIN_TOKEN, API_KEY_SECRET: TEST_API_KEY_SECRET, LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false' }),
      endpoints,
    );
    await controlPlane.init();
    admin = controlPlane.getHttpServer();
    api = await startBuiltApi(endpoints, {
      API_KEY_SECRET: TEST_API_KEY_SECRET,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 240_000);

  afterAll(async () => {
    api.stop();
    await controlPlane.close();
    receiver.server.close();
  });

  it('exports the server span with the tenant and the route, its database round trips as children, the client trace continued, no secrets', async () => {
    const tenant = await createTenant(admin);
    const marker = `sku-${randomBytes(6).toString('hex')}`;
    const headers = { Authorization: `Bearer ${tenant.apiKey}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${api.base}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ countryCode: 'US', items: [{ sku: marker, quantity: 1, unitPriceCents: 900 }] }),
    });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: number };

    const clientTraceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const read = await fetch(`${api.base}/v1/orders/${order.id}`, { headers: { ...headers, traceparent: `00-${clientTraceId}-${clientSpanId}-01` } });
    expect(read.status).toBe(200);

    const spansOf = (traceId: string) =>
      receiver.exports
        .flatMap((batch) => batch.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)))
        .filter((span) => span.traceId === traceId);
    let spans: OtlpSpan[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      spans = spansOf(clientTraceId);
      if (spans.some((span) => span.kind === SPAN_KIND_SERVER) && spans.some((span) => span.name.startsWith('pg '))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const server = spans.find((span) => span.kind === SPAN_KIND_SERVER)!;
    expect(server).toBeDefined();
    expect(server.parentSpanId).toBe(clientSpanId);
    expect(server.name).toBe('GET /v1/orders/:id');
    expect(attribute(server, 'http.route')).toBe('/v1/orders/:id');
    expect(attribute(server, 'http.response.status_code')).toBe(200);
    expect(attribute(server, 'tenant.id')).toBe(tenant.id);

    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const descendsFromServer = (span: OtlpSpan): boolean => {
      for (let parent = span.parentSpanId; parent !== undefined && parent !== ''; parent = byId.get(parent)?.parentSpanId) {
        if (parent === server.spanId) return true;
      }
      return false;
    };
    const database = spans.filter((span) => span.name.startsWith('pg '));
    expect(database.map((span) => span.name)).toContain('pg tenant_order_details');
    expect(database.every(descendsFromServer)).toBe(true);

    const everything = JSON.stringify(receiver.exports);
    expect(everything).not.toContain(tenant.apiKey);
    expect(everything).not.toContain(tenant.apiKey.split('.')[0]);
    expect(everything).not.toContain(TEST_API_KEY_SECRET);
    expect(everything).not.toContain(marker);
    expect(everything.toLowerCase()).not.toContain('authorization');

    const accessLine = api
      .output()
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as { req: { url: string }; tenant?: { id?: string }; trace_id?: string })
      .find((line) => line.trace_id === clientTraceId);
    expect(accessLine?.req.url).toBe(`/v1/orders/${order.id}`);
    expect(accessLine?.tenant?.id).toBe(tenant.id);

    process.stdout.write(
      `[tracing] ${spans.length} spans: ${spans
        .map((span) => `${span.name}${span.parentSpanId === clientSpanId ? ' (root, parent = client)' : ''}`)
        .join(' | ')}\n`,
    );
  }, 60_000);
});
