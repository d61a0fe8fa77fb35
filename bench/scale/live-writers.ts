/** Tenants writing orders through the API with idempotent retries while the cluster changes under them, and the check afterwards. */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { ScaleTenant } from './dataset';

/** What a client may see while a node or a shard moves: success, or 503 with Retry-After. Anything else is a defect. */
/** Each writer's pace: steady traffic beside the reads, not a flood that would only measure the two cores. */
const WRITE_EVERY_MS = 50;
const EXPECTED = new Set([200, 201, 503]);

export interface WriterReport {
  acknowledged: number;
  statuses: Record<string, number>;
  unexpected: number;
  /** The longest time one write took from its first failed attempt to its acknowledgement. */
  longestErrorStretchMs: number;
}

export interface Acknowledged {
  tenantId: string;
  key: string;
  id: number;
}

export function startWriters(baseUrl: string, tenants: ScaleTenant[]): { stop(): Promise<WriterReport>; acknowledged: Acknowledged[] } {
  const acknowledged: Acknowledged[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let longestErrorStretchMs = 0;
  let running = true;
  const body = JSON.stringify({ countryCode: 'US', items: [{ sku: 'LIVE', quantity: 1, unitPriceCents: 100 }] });
  const writer = async (tenant: ScaleTenant) => {
    while (running) {
      const key = randomUUID();
      let firstErrorAt: number | undefined;
      for (;;) {
        const response = await fetch(`${baseUrl}/v1/orders`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tenant.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
          body,
          signal: AbortSignal.timeout(10_000),
        }).then(
          async (answer) => ({ status: answer.status as number | string, retryAfter: answer.headers.get('retry-after'), body: await answer.text() }),
          (error: unknown) => ({ status: `error:${(error as Error).name}`, retryAfter: null, body: '' }),
        );
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (typeof response.status !== 'number' || !EXPECTED.has(response.status) || (response.status === 503 && !response.retryAfter)) unexpected += 1;
        if (response.status === 201 || response.status === 200) {
          acknowledged.push({ tenantId: tenant.id, key, id: (JSON.parse(response.body) as { id: number }).id });
          if (firstErrorAt !== undefined) longestErrorStretchMs = Math.max(longestErrorStretchMs, Date.now() - firstErrorAt);
          await new Promise((resolve) => setTimeout(resolve, WRITE_EVERY_MS));
          break;
        }
        firstErrorAt ??= Date.now();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const writers = tenants.map(writer);
  return {
    acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(writers);
      return { acknowledged: acknowledged.length, statuses, unexpected, longestErrorStretchMs };
    },
  };
}

/** Every acknowledged write stored once, under its key, with the id the client was given. */
export async function verifyWrites(owner: Client, acknowledged: Acknowledged[]): Promise<{ lost: number; duplicated: number }> {
  const { rows } = await owner.query<{ tenant_id: string; idempotency_key: string; ids: string[] }>(
    `SELECT tenant_id, idempotency_key, array_agg(id) AS ids FROM orders
      WHERE tenant_id = ANY($1) AND idempotency_key = ANY($2) GROUP BY tenant_id, idempotency_key`,
    [[...new Set(acknowledged.map((write) => write.tenantId))], acknowledged.map((write) => write.key)],
  );
  const stored = new Map(rows.map((row) => [`${row.tenant_id}/${row.idempotency_key}`, row.ids.map(Number)]));
  let lost = 0;
  let duplicated = 0;
  for (const write of acknowledged) {
    const ids = stored.get(`${write.tenantId}/${write.key}`) ?? [];
    if (!ids.includes(write.id)) lost += 1;
    if (ids.length > 1) duplicated += 1;
  }
  return { lost, duplicated };
}
