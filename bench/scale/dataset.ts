/** The scale bench's dataset: tenants of Zipf-distributed sizes, their orders loaded with COPY, items and payments derived in the database. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { issueApiKey } from '@app/tenants';

export const FULL_TENANTS = 10_000;
export const FULL_ORDERS = 10_000_000;
/** The largest tenant's share of all orders, as the issue describes a realistic SaaS. */
export const LARGEST_SHARE = 0.05;
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA'];
const YEAR_MS = 365 * 86_400_000;
export const ITEM_CENTS = 1000;

export interface ScaleTenant {
  id: string;
  apiKey: string;
  rank: number;
  weight: number;
}

export function plan(scale: number): { tenants: number; orders: number } {
  return { tenants: Math.max(100, Math.round(FULL_TENANTS * Math.min(1, scale * 10))), orders: Math.max(1000, Math.round(FULL_ORDERS * scale)) };
}

/** Weights 1/rank^s, with s chosen so that the first holds `largestShare` of the total. */
export function zipfWeights(count: number, largestShare = LARGEST_SHARE): number[] {
  const shareOfFirst = (s: number) => {
    let sum = 0;
    for (let rank = 1; rank <= count; rank += 1) sum += rank ** -s;
    return 1 / sum;
  };
  let low = 0;
  let high = 3;
  for (let step = 0; step < 60; step += 1) {
    const middle = (low + high) / 2;
    if (shareOfFirst(middle) < largestShare) low = middle;
    else high = middle;
  }
  const s = (low + high) / 2;
  const raw = Array.from({ length: count }, (_, index) => (index + 1) ** -s);
  const total = raw.reduce((sum, weight) => sum + weight, 0);
  return raw.map((weight) => weight / total);
}

/** A small, seeded generator: the same scale gives the same dataset. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks a tenant index by weight in O(log n). */
export function weightedPicker(weights: number[], random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const weight of weights) cumulative.push((sum += weight));
  return () => {
    const target = random() * sum;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

export async function createTenants(owner: Client, count: number, secret: string, label: string): Promise<ScaleTenant[]> {
  const weights = zipfWeights(count);
  const tenants: ScaleTenant[] = [];
  for (let start = 0; start < count; start += 1000) {
    const size = Math.min(1000, count - start);
    const keys = Array.from({ length: size }, () => issueApiKey(secret));
    const { rows } = await owner.query<{ id: string }>(
      `INSERT INTO tenants (name, plan) SELECT $1 || ' #' || n, 'enterprise' FROM generate_series($2::int, $3::int) n ORDER BY n RETURNING id`,
      [label, start + 1, start + size],
    );
    await owner.query(`INSERT INTO api_keys (tenant_id, key_hash, prefix, signed) SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::bool[])`, [
      rows.map((row) => row.id),
      keys.map((key) => key.hash),
      keys.map((key) => key.prefix),
      keys.map(() => true),
    ]);
    rows.forEach((row, index) => tenants.push({ id: row.id, apiKey: keys[index].key, rank: start + index + 1, weight: weights[start + index] }));
  }
  return tenants;
}

/**
 * Orders [from, to) of the dataset with COPY, marked with the batch label in their note; then each order's 2 or 3 items and, for a
 * paid order, its payment, with INSERT ... SELECT that Citus runs on every shard at once. Returns the rows written.
 */
export async function loadOrders(owner: Client, tenants: ScaleTenant[], from: number, to: number, batch: string, seed = 7): Promise<Record<string, number>> {
  const random = seededRandom(seed + from);
  const pick = weightedPicker(
    tenants.map((tenant) => tenant.weight),
    random,
  );
  const now = Date.now();
  const lines = function* (): Generator<string> {
    for (let index = from; index < to; index += 1) {
      const tenant = tenants[pick()];
      const items = 2 + (index % 2);
      const total = items * ITEM_CENTS;
      const roll = random();
      const status = roll < 0.9 ? 'paid' : roll < 0.95 ? 'pending' : 'cancelled';
      const created = new Date(now - Math.floor(random() * YEAR_MS)).toISOString();
      yield `${tenant.id}\t${status}\t${COUNTRIES[index % COUNTRIES.length]}\tUSD\t${batch}\t${total}\t${status === 'paid' ? total : 0}\t${created}\t${created}\n`;
    }
  };
  const copy = owner.query(
    copyFrom(`COPY orders (tenant_id, status, country_code, currency, note, total_cents, paid_cents, created_at, updated_at) FROM STDIN`),
  );
  await pipeline(Readable.from(lines(), { objectMode: false }), copy);
  const items = await owner.query(
    `INSERT INTO order_items (tenant_id, order_id, sku, quantity, unit_price_cents)
     SELECT tenant_id, id, 'SKU-' || generate_series(1, (total_cents / $2)::int), 1, $2 FROM orders WHERE note = $1`,
    [batch, ITEM_CENTS],
  );
  const payments = await owner.query(
    `INSERT INTO payments (tenant_id, order_id, amount_cents, method, created_at)
     SELECT tenant_id, id, total_cents, 'card', created_at FROM orders WHERE note = $1 AND status = 'paid'`,
    [batch],
  );
  return { orders: to - from, order_items: items.rowCount ?? 0, payments: payments.rowCount ?? 0 };
}
