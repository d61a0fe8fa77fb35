import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { freePort, startThrowawayDatabase, withOwner } from '@app/testing';
import { startApi } from './lib/api-process';

/**
 * `npm run bench:archive`: export and import of one tenant of about 1M rows (250k orders, 500k
 * items, 250k payments, 50k refunds) through a real API process on the embedded node; rows per
 * second and the API's peak memory for each direction. Results: bench/results/tenant-archive.json.
 * BENCH_NODE_OPTIONS (e.g. --max-old-space-size=96) caps the API's heap: the archive still streams.
 */
const ORDERS = Number(process.env.BENCH_ARCHIVE_ORDERS ?? 250_000);
const ROOT = join(__dirname, '..');
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

async function main(): Promise<void> {
  execFileSync('npx', ['nest', 'build', 'control-plane'], { cwd: ROOT, stdio: 'ignore' });
  const database = await startThrowawayDatabase('bench-archive-');
  const port = await freePort();
  const work = mkdtempSync(join(tmpdir(), 'bench-archive-files-'));
  const { owner, tenant: tenantUrl, control } = database.endpoints;
  const api = await startApi({
    name: 'archive',
    mainJs: join(ROOT, 'dist/apps/control-plane/apps/control-plane/src/main.js'),
    probe: join(__dirname, 'support/round-trip-probe.cjs'),
    port,
    cwd: ROOT,
    logFile: join(work, 'api.log'),
    env: {
      PATH: process.env.PATH,
      CONTROL_PLANE_PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: owner,
      TENANT_DATABASE_URL: tenantUrl,
      CONTROL_DATABASE_URL: control,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      MIGRATE_ON_BOOT: 'false',
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
    },
  });
  try {
    const created = await call(port, 'POST', '/admin/tenants', JSON.stringify({ name: 'one million rows', plan: 'enterprise' }));
    const tenantId = (JSON.parse(created) as { tenant: { id: string } }).tenant.id;
    process.stdout.write(`seeding ${ORDERS} orders with their items, payments and refunds...\n`);
    const rows = await withOwner(owner, async (client) => {
      await client.query(
        `INSERT INTO orders (tenant_id, status, country_code, currency, total_cents, paid_cents, created_at, updated_at)
         SELECT $1, 'paid', 'US', 'USD', 3000, 3000, now() - make_interval(secs => i), now() - make_interval(secs => i) FROM generate_series(1, $2) i`,
        [tenantId, ORDERS],
      );
      await client.query(
        `INSERT INTO order_items (tenant_id, order_id, sku, quantity, unit_price_cents)
         SELECT tenant_id, id, sku, 1, 1500 FROM orders, (VALUES ('SKU-A'), ('SKU-B')) skus(sku) WHERE tenant_id = $1`,
        [tenantId],
      );
      await client.query(
        `INSERT INTO payments (tenant_id, order_id, amount_cents, method) SELECT tenant_id, id, 3000, 'card' FROM orders WHERE tenant_id = $1`,
        [tenantId],
      );
      await client.query(`UPDATE payments SET refunded_cents = 100 WHERE tenant_id = $1 AND id % 5 = 0`, [tenantId]);
      await client.query(
        `INSERT INTO refunds (tenant_id, payment_id, amount_cents) SELECT tenant_id, id, 100 FROM payments WHERE tenant_id = $1 AND id % 5 = 0`,
        [tenantId],
      );
      // What autovacuum would do after such a load: without statistics the export's keyset batches scan the table.
      await client.query('ANALYZE orders, order_items, payments, refunds');
      const { rows: counts } = await client.query(
        `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1) + (SELECT count(*) FROM order_items WHERE tenant_id = $1)
              + (SELECT count(*) FROM payments WHERE tenant_id = $1) + (SELECT count(*) FROM refunds WHERE tenant_id = $1) AS total`,
        [tenantId],
      );
      return Number(counts[0].total);
    });
    const baseline = api.memory();
    const archive = join(work, 'tenant.ndjson');

    const exportStarted = Date.now();
    await download(port, `/admin/tenants/${tenantId}/export`, archive);
    const exportSeconds = (Date.now() - exportStarted) / 1000;
    const afterExport = api.memory();

    await call(port, 'DELETE', `/admin/tenants/${tenantId}`);
    const importStarted = Date.now();
    const imported = JSON.parse(await upload(port, '/admin/tenants/import', archive)) as { rows: Record<string, number> };
    const importSeconds = (Date.now() - importStarted) / 1000;
    const afterImport = api.memory();
    const importedRows = Object.values(imported.rows).reduce((sum, count) => sum + count, 0);
    if (importedRows !== rows) throw new Error(`imported ${importedRows} rows of ${rows}`);

    const result = {
      rows,
      archiveMb: Math.round(statSync(archive).size / 1048576),
      export: { seconds: exportSeconds, rowsPerSecond: Math.round(rows / exportSeconds), peakRssMb: afterExport?.peakMb },
      import: { seconds: importSeconds, rowsPerSecond: Math.round(rows / importSeconds), peakRssMb: afterImport?.peakMb },
      apiRssBeforeMb: baseline?.rssMb,
    };
    writeFileSync(join(__dirname, 'results/tenant-archive.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await api.stop();
    await database.stop();
  }
}

function call(port: number, method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function download(port: number, path: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
      pipeline(res, createWriteStream(file)).then(resolve, reject);
    })
      .on('error', reject)
      .end();
  });
}

function upload(port: number, path: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/x-ndjson' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(text) : reject(new Error(`import: ${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
