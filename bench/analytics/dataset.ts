import { Client } from 'pg';

export interface DatasetConfig {
  tenants: number;
  orders: number;
  /** Orders are spread over this many days before now. */
  days: number;
  /** Orders changed after the rollup's refresh: half new, half cancellations of pending orders. */
  liveChanges: number;
}

/**
 * Bench tenants have fixed ids, so the answers of two runs (and of the two targets) are
 * comparable; their rows are what the bench generates and nothing else.
 */
const tenantId = (index: string) => `md5('bench-tenant-' || ${index})::uuid`;

/**
 * Fills orders (not items or payments: analytics reads orders only) straight from
 * generate_series, as the schema owner. The shape of a real store: tenant sizes follow a
 * power law (tenant k gets about 1/k of the orders), each tenant sells 80 % in a home country,
 * 15 % of the orders end cancelled, 60 % paid, the rest pending (some partly paid).
 * `setseed` makes the two targets hold the same orders, up to when now() is.
 */
export async function generateOrders(client: Client, config: DatasetConfig): Promise<void> {
  await client.query(`TRUNCATE orders, order_items, payments, refunds, daily_order_stats`);
  await client.query(`DELETE FROM tenants WHERE name LIKE 'Bench tenant %'`);
  await client.query(
    `INSERT INTO tenants (id, name, plan, created_at)
     SELECT ${tenantId('k')}, 'Bench tenant ' || k, (ARRAY['free', 'pro', 'enterprise'])[1 + k % 3], now() - make_interval(days => $2::int + 1)
       FROM generate_series(1, $1::int) k`,
    [config.tenants, config.days],
  );
  // Countries as parameters: a statement that reads no table runs on the coordinator, where the seed is.
  const { rows: countries } = await client.query<{ code: string; currency: string }>(`SELECT code, currency FROM country ORDER BY code`);
  await client.query(`SELECT setseed(0.42)`);
  await client.query(
    `WITH countries AS (
       SELECT $4::text[] AS codes, $5::text[] AS currencies, cardinality($4::text[]) AS n
     ),
     draws AS (
       SELECT floor(power($2::float8 + 1, random()))::int AS k, random() AS r_country, random() AS r_other,
              random() AS r_status, random() AS r_partial, random() AS r_total, random() AS r_age, random() AS r_settle
         FROM generate_series(1, $1::int)
     ),
     shaped AS (
       SELECT ${tenantId('d.k')} AS tenant_id,
              1 + CASE WHEN d.r_country < 0.8 THEN (d.k * 7) % c.n ELSE floor(d.r_other * c.n)::int END AS country_index,
              CASE WHEN d.r_status < 0.15 THEN 'cancelled' WHEN d.r_status < 0.40 THEN 'pending' ELSE 'paid' END AS status,
              500 + floor(d.r_total * 20000)::bigint AS total_cents,
              now() - d.r_age * make_interval(days => $3::int) AS created_at,
              d.r_settle, d.r_partial, c.codes, c.currencies
         FROM draws d CROSS JOIN countries c
     )
     INSERT INTO orders (tenant_id, status, country_code, currency, total_cents, paid_cents, created_at, updated_at)
     SELECT tenant_id, status, codes[country_index], currencies[country_index], total_cents,
            CASE status WHEN 'paid' THEN total_cents WHEN 'pending' THEN CASE WHEN r_partial < 0.2 THEN total_cents / 2 ELSE 0 END ELSE 0 END,
            created_at,
            CASE WHEN status = 'pending' AND r_partial >= 0.2 THEN created_at ELSE least(now(), created_at + r_settle * interval '3 days') END
       FROM shaped`,
    [config.orders, config.tenants, config.days, countries.map((country) => country.code), countries.map((country) => country.currency)],
  );
  await client.query(`VACUUM ANALYZE orders`);
}

/**
 * What lands between two refreshes, stamped now() like the API stamps it: new orders, and
 * cancellations of orders that were rolled up. The rollup path must read and correct them.
 */
export async function addLiveChanges(client: Client, config: DatasetConfig): Promise<void> {
  const half = Math.floor(config.liveChanges / 2);
  await client.query(
    `INSERT INTO orders (tenant_id, status, country_code, currency, total_cents, created_at, updated_at)
     SELECT ${tenantId('(1 + g % $2::int)')}, 'pending', 'US', 'USD', 1000 + g, now(), now()
       FROM generate_series(1, $1::int) g`,
    [half, config.tenants],
  );
  await client.query(
    `UPDATE orders SET status = 'cancelled', updated_at = now()
      WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM orders WHERE status = 'pending' AND created_at < now() - interval '1 day'
                                 ORDER BY created_at LIMIT $1)`,
    [half],
  );
}
