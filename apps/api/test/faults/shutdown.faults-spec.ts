import { ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createTenant, freePort, TEST_ADMIN_TOKEN, TEST_API_KEY_SECRET, testEndpoints } from '@app/testing';
import { startTestApi, TestApi } from '../support/api';
import { eventually } from './support';

interface Outcome {
  status?: number;
  error?: string;
  sentAfterSignal: boolean;
}

/** One request on a fresh connection, so "accepted" and "refused" cannot be confused. */
function call(port: number, method: string, path: string, token: string, body?: object): Promise<{ status?: number; error?: string; json?: any }> {
  return new Promise((resolve) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode, json: text ? JSON.parse(text) : undefined }));
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.end(payload);
  });
}

describe('SIGTERM under load', () => {
  let child: ChildProcess;
  let port: number;
  let controlPlane: TestApi;

  beforeAll(async () => {
    controlPlane = await startTestApi();
    port = await freePort();
    const endpoints = testEndpoints();
    child = spawn(process.execPath, [join(__dirname, '../../../../dist/apps/api/apps/api/src/main.js')], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: '',
        TENANT_DATABASE_URL: endpoints.tenant,
        CONTROL_DATABASE_URL: endpoints.control,
        CONTROL_LISTEN_URL: endpoints.controlListen,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        API_KEY_SECRET: TEST_API_KEY_SECRET,
        SEED_DEMO: 'false',
        RATE_LIMIT_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        SHUTDOWN_DRAIN_MS: '1000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const ready = await eventually(async () => (await call(port, 'GET', '/health/ready', '')).status === 200);
    expect(ready).toBe(true);
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await controlPlane.close();
  });

  it('finishes every request it accepted, refuses new connections, and exits 0', async () => {
    const { apiKey } = await createTenant(controlPlane.admin);
    const order = await call(port, 'POST', '/v1/orders', apiKey, { countryCode: 'US', items: [{ sku: 'x', quantity: 1, unitPriceCents: 100 }] });
    expect(order.status).toBe(201);

    const outcomes: Outcome[] = [];
    let signalled = false;
    // Plays the load balancer: polls readiness and stops routing here once it turns 503.
    let deregistered = false;
    let readinessWhileDraining: number | undefined;
    const balancer = (async () => {
      while (!deregistered) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const readiness = await call(port, 'GET', '/health/ready', '');
        if (readiness.status !== 200) {
          readinessWhileDraining = readiness.status;
          deregistered = true;
        }
      }
    })();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const loop = async (index: number) => {
      for (;;) {
        const sentAfterSignal = signalled;
        const result =
          index % 2 === 0
            ? await call(port, 'GET', `/v1/orders/${order.json.id}`, apiKey)
            : await call(port, 'POST', '/v1/orders', apiKey, { countryCode: 'US', items: [{ sku: 'load', quantity: 1, unitPriceCents: 100 }] });
        outcomes.push({ ...result, sentAfterSignal });
        if (result.error || deregistered) return;
      }
    };
    const loops = Array.from({ length: 16 }, (_, index) => loop(index));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    signalled = true;
    child.kill('SIGTERM');
    await Promise.all([...loops, balancer]);
    const code = await exited;
    const afterExit = await call(port, 'GET', '/health/live', '');

    const answered = outcomes.filter((outcome) => outcome.status !== undefined);
    const failedAnswers = answered.filter((outcome) => (outcome.status as number) >= 500);
    const errors = outcomes.filter((outcome) => outcome.error).map((outcome) => outcome.error);
    process.stdout.write(
      `[faults] SIGTERM: ${answered.length} requests answered (${answered.filter((o) => o.sentAfterSignal).length} sent after the signal), ` +
        `${failedAnswers.length} failed answers, connection errors: ${[...new Set(errors)].join(',')}; exit code ${code}\n`,
    );
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter((outcome) => outcome.sentAfterSignal).length).toBeGreaterThan(0);
    expect(readinessWhileDraining).toBe(503);
    expect(afterExit.error).toBe('ECONNREFUSED');
    expect(failedAnswers).toEqual([]);
    // No request was cut off: every request sent got its answer.
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  });
});
