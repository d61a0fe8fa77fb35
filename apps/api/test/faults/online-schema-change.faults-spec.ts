import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import request from 'supertest';
import { MIGRATION_LOCK_TIMEOUT_MS } from '@app/persistence';
import { bearer, createOrder, createTenant, orderBody, TestTenant, withOwner } from '@app/testing';
import { summarize } from '../../../../bench/lib/load';
import { startTestApi, TestApi } from '../support/api';
import { HANG_GUARD_MS } from './support';

const CLIENTS = 6;
const BASELINE_MS = 8_000;
/** Lines shorter than this still show whether a step stalls the tenants: requests overlapping a step of a few ms are few. */
const SETTLE_MS = 2_000;
const BACKFILL_BATCH = 500;

interface Sample {
  route: string;
  startedAt: number;
  endedAt: number;
  status: number | string;
}

interface Step {
  name: string;
  startedAt: number;
  endedAt: number;
  /** Attempts of a DDL statement, or batches of the backfill. */
  rounds: number;
}

/** The tenant mix as clients send it: writes with idempotent retries, reads of acknowledged orders, first pages. */
async function tenantClient(api: TestApi, tenant: TestTenant, samples: Sample[], acknowledged: Map<string, number>, running: () => boolean): Promise<void> {
  const own: number[] = [];
  const timed = async (route: string, send: () => Promise<{ status: number; body?: unknown }>) => {
    const startedAt = Date.now();
    const response = await send().catch((error: unknown) => ({ status: `error:${(error as Error).message.slice(0, 40)}`, body: undefined }));
    samples.push({ route, startedAt, endedAt: Date.now(), status: response.status });
    return response;
  };
  while (running()) {
    const key = randomUUID();
    for (;;) {
      const response = await timed('POST /v1/orders', () =>
        request(api.server).post('/v1/orders').set(bearer(tenant.apiKey)).set('Idempotency-Key', key).send(orderBody()).timeout(HANG_GUARD_MS),
      );
      if (response.status === 201 || response.status === 200) {
        const id = (response.body as { id: number }).id;
        acknowledged.set(`${tenant.id}/${key}`, id);
        own.push(id);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const id = own[Math.floor(Math.random() * own.length)];
    await timed('GET /v1/orders/:id', () => request(api.server).get(`/v1/orders/${id}`).set(bearer(tenant.apiKey)).timeout(HANG_GUARD_MS));
    await timed('GET /v1/orders', () => request(api.server).get('/v1/orders?limit=20').set(bearer(tenant.apiKey)).timeout(HANG_GUARD_MS));
  }
}

/** A DDL statement under the migration runner's lock timeout, tried again while it only timed out waiting for its lock. */
async function ddl(client: Client, sql: string): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
      await client.query(sql);
      return attempt;
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03' || attempt >= 10) throw error;
    } finally {
      await client.query('RESET lock_timeout');
    }
  }
}

/** Each tenant's rows in batches, each batch its own short transaction on the tenant's shard. */
async function backfill(client: Client, tenantIds: string[]): Promise<number> {
  let batches = 0;
  for (const tenantId of tenantIds) {
    for (;;) {
      const { rowCount } = await client.query(
        `UPDATE orders SET review_note = '' WHERE tenant_id = $1 AND id IN (
           SELECT id FROM orders WHERE tenant_id = $1 AND review_note IS NULL ORDER BY id LIMIT ${BACKFILL_BATCH})`,
        [tenantId],
      );
      batches += 1;
      if ((rowCount ?? 0) < BACKFILL_BATCH) break;
    }
  }
  return batches;
}

/**
 * A schema change of a distributed table while the tenant mix runs (docs/online-migrations.md): add a nullable column, then its
 * default; backfill it per tenant in small batches; index it without blocking writes; a CHECK constraint NOT VALID, then VALIDATE.
 * No request may fail; the p99 of the requests overlapping each step is reported against the baseline (the guide's figures).
 */
describe('online schema change on the live cluster', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await withOwner(api.ownerUrl, async (client) => {
      await client.query('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_review_note_length');
      await client.query('DROP INDEX CONCURRENTLY IF EXISTS orders_review_note_idx');
      await client.query('ALTER TABLE orders DROP COLUMN IF EXISTS review_note');
    });
    await api.close();
  });

  it('adds, backfills, indexes and constrains a column of orders while tenants write and read: no request fails, nothing is lost', async () => {
    const tenants: TestTenant[] = [];
    for (let index = 0; index < CLIENTS; index += 1) {
      const tenant = await createTenant(api.admin);
      for (let order = 0; order < 50; order += 1) await createOrder(api.server, tenant);
      tenants.push(tenant);
    }
    const samples: Sample[] = [];
    const acknowledged = new Map<string, number>();
    let running = true;
    const clients = tenants.map((tenant) => tenantClient(api, tenant, samples, acknowledged, () => running));
    const steps: Step[] = [];
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await pause(BASELINE_MS);
    const baselineEnd = Date.now();
    await withOwner(api.ownerUrl, async (client) => {
      const step = async (name: string, work: () => Promise<number>) => {
        const startedAt = Date.now();
        const rounds = await work();
        steps.push({ name, startedAt, endedAt: Date.now(), rounds });
        await pause(SETTLE_MS);
      };
      await step('a1 add a nullable column', () => ddl(client, 'ALTER TABLE orders ADD COLUMN review_note text'));
      await step('a2 give it a default', () => ddl(client, "ALTER TABLE orders ALTER COLUMN review_note SET DEFAULT ''"));
      await step(`b backfill per tenant, ${BACKFILL_BATCH} rows a batch`, () =>
        backfill(
          client,
          tenants.map((tenant) => tenant.id),
        ),
      );
      await step('c create index concurrently, one shard at a time', async () => {
        // One shard's index build at a time: on a large table a build per shard in parallel would take every core from the tenants.
        await client.query(`SET citus.multi_shard_modify_mode = 'sequential'`);
        const attempts = await ddl(client, 'CREATE INDEX CONCURRENTLY orders_review_note_idx ON orders (tenant_id, review_note)');
        await client.query('RESET citus.multi_shard_modify_mode');
        return attempts;
      });
      await step('d1 add a CHECK constraint NOT VALID', () =>
        ddl(client, 'ALTER TABLE orders ADD CONSTRAINT orders_review_note_length CHECK (char_length(review_note) <= 500) NOT VALID'),
      );
      await step('d2 validate it', () => ddl(client, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_review_note_length'));
    });
    running = false;
    await Promise.all(clients);

    const elapsed = (s: Sample) => s.endedAt - s.startedAt;
    const overlapping = (from: number, to: number) => samples.filter((s) => s.startedAt < to && s.endedAt > from);
    const baseline = overlapping(0, baselineEnd);
    const baselineP99 = summarize(baseline.map(elapsed)).p99;
    const report = steps.map((step) => {
      const during = overlapping(step.startedAt, step.endedAt + SETTLE_MS);
      const { p99 } = summarize(during.map(elapsed));
      const slowest = [...during]
        .sort((a, b) => elapsed(b) - elapsed(a))
        .slice(0, 3)
        .map((s) => `${s.route} ${elapsed(s)} ms at +${s.startedAt - step.startedAt} ms`);
      return {
        step: step.name,
        slowest,
        ms: step.endedAt - step.startedAt,
        rounds: step.rounds,
        requests: during.length,
        p99Ms: p99,
        p99Ratio: Number((p99 / baselineP99).toFixed(2)),
      };
    });
    const failed = samples.filter((s) => s.status !== 200 && s.status !== 201);
    const summary = {
      baseline: { requests: baseline.length, p99Ms: baselineP99 },
      steps: report,
      requests: samples.length,
      failed: failed.length,
    };
    process.stdout.write(`[online schema change] ${JSON.stringify(summary, null, 1)}\n`);
    if (process.env.ONLINE_MIGRATION_RESULTS) writeFileSync(join(process.env.ONLINE_MIGRATION_RESULTS), `${JSON.stringify(summary, null, 2)}\n`);

    expect(failed.map((s) => s.status)).toEqual([]);
    const stored = await withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query<{ tenant_id: string; id: string; review_note: string | null }>(
        'SELECT tenant_id, id, review_note FROM orders WHERE tenant_id = ANY($1)',
        [tenants.map((tenant) => tenant.id)],
      );
      return rows;
    });
    const storedIds = new Set(stored.map((row) => `${row.tenant_id}/${row.id}`));
    const lost = [...acknowledged].filter(([key, id]) => !storedIds.has(`${key.split('/')[0]}/${id}`));
    expect(lost).toEqual([]);
    // The backfill and the default leave no row without the new column's value, and the constraint is valid.
    expect(stored.filter((row) => row.review_note === null)).toEqual([]);
    const validated = await withOwner(api.ownerUrl, (client) =>
      client.query<{ convalidated: boolean }>(`SELECT convalidated FROM pg_constraint WHERE conname = 'orders_review_note_length'`),
    );
    expect(validated.rows.map((row) => row.convalidated)).toEqual([true]);
  }, 300_000);
});
