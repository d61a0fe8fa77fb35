/**
 * npm run bench: the API on the embedded single node, the API on the local Citus cluster
 * through PgBouncer, and their floors (the same SQL from pgbench), side by side from one run.
 * See bench/README.md for what is measured and how.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { assertDurableCluster, citusClusterEndpoints } from '@app/testing';
import { findPgBench } from './lib/pgbench';
import { loud, MAIN_JS, ROOT, say } from './lib/setup';
import { report } from './lib/summary';
import { runTarget, TargetSummary } from './lib/target';
import { CONFIG } from './lib/workload';

async function main(): Promise<void> {
  const startedAt = Date.now();
  const skipped: string[] = [];
  const loadAtStart = loadavg()[0];
  if (loadAtStart > cpus().length * 0.5) {
    loud(`WARNING: the machine is busy (load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores): figures will be low`);
  }
  say(`npm run bench: ${CONFIG.tenants} tenants, ${CONFIG.connections} connections, ${CONFIG.durationSec} s per measured run, warmup ${CONFIG.warmupSec} s`);

  if (process.env.BENCH_SKIP_BUILD !== '1') {
    say('Building the API and the control plane (npx nest build) ...');
    for (const project of ['api', 'control-plane']) {
      const build = spawnSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error(`nest build ${project} failed`);
    }
  }
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build the API first`);

  const pgbench = findPgBench();
  if (!pgbench) {
    skipped.push('pgbench floor: pgbench is not installed (PostgreSQL client tools)');
    loud('SKIPPED: pgbench floor -- pgbench is not installed (install postgresql-client / PostgreSQL 15)');
  }
  const citus = await citusAvailability();
  if (!citus.available) {
    skipped.push(`Citus: ${citus.reason}`);
    loud(`SKIPPED: Citus -- ${citus.reason}. Only the embedded single node was measured.`);
  }

  const work = mkdtempSync(join(tmpdir(), 'orders-bench-'));
  // The embedded server runs as the postgres user when we are root: it must reach its folder.
  chmodSync(work, 0o755);
  const targets: TargetSummary[] = [];
  try {
    targets.push(await runTarget('embedded', work, pgbench, !citus.available));
    if (citus.available) targets.push(await runTarget('citus', work, pgbench, true));
  } finally {
    if (citus.available && citus.startedByUs) {
      say('Stopping the Citus cluster this run started ...');
      spawnSync('bash', [join(ROOT, 'scripts/cluster-down.sh')], { cwd: ROOT, stdio: 'ignore' });
    }
    rmSync(work, { recursive: true, force: true });
  }

  await report(targets, skipped, Math.round((Date.now() - startedAt) / 1000), [loadAtStart, loadavg()[0]]);
}

async function citusAvailability(): Promise<{ available: true; startedByUs: boolean } | { available: false; reason: string }> {
  if (process.env.BENCH_CITUS === '0') return { available: false, reason: 'disabled with BENCH_CITUS=0' };
  const endpoints = citusClusterEndpoints();
  if (await isCitus(endpoints.owner)) {
    await assertDurableCluster(endpoints.owner);
    return { available: true, startedByUs: false };
  }
  say('The Citus cluster is not running: trying scripts/cluster-up.sh ...');
  const up = spawnSync('bash', [join(ROOT, 'scripts/cluster-up.sh')], { cwd: ROOT, encoding: 'utf8' });
  const reasons: Partial<Record<number, string>> = {
    2: 'PostgreSQL 15 server binaries are not installed',
    3: 'Citus is not installed for PostgreSQL 15',
    4: 'PgBouncer is not installed',
  };
  if (up.status !== 0) {
    return {
      available: false,
      reason: reasons[up.status ?? -1] ?? `scripts/cluster-up.sh failed (exit ${up.status}): ${up.stderr.trim().split('\n').pop()}`,
    };
  }
  if (!(await isCitus(endpoints.owner))) return { available: false, reason: 'the cluster started but the citus extension is not there' };
  await assertDurableCluster(endpoints.owner);
  return { available: true, startedByUs: true };
}

async function isCitus(ownerUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: ownerUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT extversion FROM pg_extension WHERE extname = 'citus'`);
    return rows.length === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
