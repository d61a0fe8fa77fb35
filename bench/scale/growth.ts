/**
 * bench:scale at the full size, after the read phases: the largest tenant isolated while tenants read and write, its export and
 * import, the schema doctor on the whole cluster, and a node added and the shards rebalanced while tenants write.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { ApiProcess, readMemory } from '../lib/api-process';
import { ArrivalResult, arriveAtRate, combineArrivals } from '../lib/arrivals';
import type { BenchRequest } from '../lib/load';
import { ROOT, say } from '../lib/setup';
import type { ScaleTenant } from './dataset';
import { startWriters, verifyWrites } from './live-writers';

export interface GrowthContext {
  owner: Client;
  api: ApiProcess;
  controlPlane: ApiProcess;
  adminToken: string;
  work: string;
  byRank: ScaleTenant[];
  readRate: number;
  nextRead: () => BenchRequest;
}

const round = (value: number) => Math.round(value * 100) / 100;
const seconds = (since: number) => round((Date.now() - since) / 1000);

/** An admin call without a client-side timeout: an isolation or an import of the largest tenant takes minutes. */
function admin(context: GrowthContext, method: string, path: string, body?: string | NodeJS.ReadableStream, contentType = 'application/json') {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const call = httpRequest(`${context.controlPlane.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${context.adminToken}`, ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    });
    call.on('response', resolve);
    call.on('error', reject);
    if (body === undefined) call.end();
    else if (typeof body === 'string') call.end(body);
    else body.pipe(call);
  });
}

async function json(response: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of response) text += (chunk as Buffer).toString();
  if ((response.statusCode ?? 500) >= 300) throw new Error(`${response.statusCode}: ${text.slice(0, 300)}`);
  return text === '' ? null : JSON.parse(text);
}

/** Reads at the bench's rate, in 10 s runs, until `done` resolves. */
async function readWhile(context: GrowthContext, done: Promise<unknown>): Promise<ArrivalResult> {
  const state = { finished: false };
  void done.finally(() => (state.finished = true)).catch(() => undefined);
  const parts: ArrivalResult[] = [];
  do parts.push(await arriveAtRate({ url: context.api.baseUrl, rate: context.readRate, durationSec: 10, next: context.nextRead }));
  while (!state.finished);
  return combineArrivals(parts);
}

/** MB of shards on every node, nodes without shards included. */
export async function bytesPerNode(owner: Client): Promise<Record<string, number>> {
  const { rows } = await owner.query<{ node: string; bytes: string }>(
    `SELECT n.nodename || ':' || n.nodeport AS node, coalesce(sum(s.shard_size), 0) AS bytes
       FROM pg_dist_node n LEFT JOIN citus_shards s ON s.nodename = n.nodename AND s.nodeport = n.nodeport
      WHERE n.noderole = 'primary' GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.node, Math.round(Number(row.bytes) / 2 ** 20)]));
}

async function placements(owner: Client): Promise<Map<string, { node: string; bytes: number }>> {
  const { rows } = await owner.query<{ shardid: string; node: string; bytes: string }>(
    `SELECT shardid, nodename || ':' || nodeport AS node, shard_size AS bytes FROM citus_shards`,
  );
  return new Map(rows.map((row) => [row.shardid, { node: row.node, bytes: Number(row.bytes) }]));
}

/** Settles with the time it settled at, so that a measurement does not wait for the reads running beside it. */
const timed = <T>(work: Promise<T>) => work.then((value) => ({ value, at: Date.now() }));

/** The largest tenant gets a shard group of its own on the other worker while every tenant reads and it and three others write. */
export async function isolateLargest(context: GrowthContext): Promise<Record<string, unknown>> {
  const largest = context.byRank[0];
  const placement = (await json(await admin(context, 'GET', `/admin/tenants/${largest.id}`))).placement as { nodePort: number; shardId: number };
  const cluster = await json(await admin(context, 'GET', '/admin/cluster'));
  const other = (cluster.nodes as Array<{ role: string; nodeName: string; nodePort: number }>).find(
    (node) => node.role === 'worker' && node.nodePort !== placement.nodePort,
  );
  const mbBefore = await bytesPerNode(context.owner);
  const writers = startWriters(context.api.baseUrl, context.byRank.slice(0, 4));
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  say(`isolating the largest tenant (${largest.id}) from :${placement.nodePort} onto :${other?.nodePort} under load ...`);
  const started = Date.now();
  const isolation = admin(
    context,
    'POST',
    `/admin/tenants/${largest.id}/isolate`,
    JSON.stringify(other ? { nodeName: other.nodeName, nodePort: other.nodePort } : {}),
  ).then(json);
  const reads = await readWhile(context, isolation);
  const isolated = await isolation;
  const isolateSeconds = seconds(started);
  const written = await writers.stop();
  const check = await verifyWrites(context.owner, writers.acknowledged);
  const { rows } = await context.owner.query<{ mb: string }>(
    `SELECT round(sum(shard_size) / 2^20) AS mb FROM citus_shards
      WHERE shardid IN (SELECT get_shard_id_for_distribution_column(t, $1::uuid) FROM unnest($2::regclass[]) AS t)`,
    [largest.id, ['orders', 'order_items', 'payments', 'refunds']],
  );
  return {
    isolateSeconds,
    placement: isolated,
    errorStretchMs: written.longestErrorStretchMs,
    writes: { ...written, ...check },
    reads: { requests: reads.requests, p99Ms: round(reads.latencyMs.p99), errors: reads.non2xx + reads.socketErrors },
    nodeMbBefore: mbBefore,
    nodeMbAfter: await bytesPerNode(context.owner),
    isolatedShardGroupMb: Number(rows[0]?.mb ?? 0),
  };
}

const peakRssMb = (pid: number) => Math.round(readMemory(pid)?.peakMb ?? 0);

/** The kernel's peak resident set of a process starts again from its current size. */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** The largest tenant exported to a file and imported from it as a copy (rows/s, the control plane's peak RSS), then the copy deleted. */
export async function exportAndImportLargest(context: GrowthContext): Promise<Record<string, unknown>> {
  const largest = context.byRank[0];
  const file = join(context.work, 'largest.ndjson');
  const pid = context.controlPlane.pid;
  resetPeakRss(pid);
  say('exporting the largest tenant ...');
  let started = Date.now();
  const response = await admin(context, 'GET', `/admin/tenants/${largest.id}/export`);
  let lines = 0;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    response.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines += 1;
    });
    response.pipe(out);
    out.on('finish', resolve);
    response.on('error', reject);
  });
  const exportSeconds = seconds(started);
  const rows = lines - 2;
  const exported = {
    rows,
    seconds: exportSeconds,
    rowsPerSecond: Math.round(rows / exportSeconds),
    mb: Math.round(statSync(file).size / 2 ** 20),
    peakRssMb: peakRssMb(pid),
  };
  say(`  export: ${JSON.stringify(exported)}`);

  resetPeakRss(pid);
  say('importing it as a copy ...');
  started = Date.now();
  const imported = await json(await admin(context, 'POST', '/admin/tenants/import?as=new', createReadStream(file), 'application/x-ndjson'));
  const importSeconds = seconds(started);
  const importResult = { rows, seconds: importSeconds, rowsPerSecond: Math.round(rows / importSeconds), peakRssMb: peakRssMb(pid) };
  say(`  import: ${JSON.stringify(importResult)}`);
  started = Date.now();
  await json(await admin(context, 'DELETE', `/admin/tenants/${imported.tenant.id as string}`));
  return { export: exported, import: importResult, deleteCopySeconds: seconds(started) };
}

/** The schema doctor over the whole cluster at this size, as an operator runs it. */
export async function doctorRunTime(ownerUrl: string): Promise<Record<string, unknown>> {
  const started = Date.now();
  const outcome = await promisify(execFile)(
    'npx',
    ['ts-node', '--transpile-only', '-r', 'tsconfig-paths/register', 'libs/schema-doctor/src/cli.ts', '--url', ownerUrl, '--json'],
    {
      cwd: ROOT,
      maxBuffer: 64 * 2 ** 20,
    },
  ).then(
    ({ stdout }) => ({ exitCode: 0, stdout }),
    (error: unknown) => ({ exitCode: (error as { code?: number }).code ?? 1, stdout: (error as { stdout?: string }).stdout ?? '' }),
  );
  const report = (() => {
    try {
      return JSON.parse(outcome.stdout) as { findings?: Array<{ severity: string }> };
    } catch {
      return {};
    }
  })();
  const findings = report.findings ?? [];
  return {
    seconds: seconds(started),
    exitCode: outcome.exitCode,
    findings: Object.fromEntries(['error', 'warning'].map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length])),
  };
}

/** A worker added and the shards rebalanced onto it while tenants write with idempotent retries and every tenant reads. */
export async function addNodeAndRebalance(context: GrowthContext): Promise<Record<string, unknown>> {
  const mbBefore = await bytesPerNode(context.owner);
  const writers = startWriters(context.api.baseUrl, context.byRank.slice(0, 8));
  say('adding a worker (npm run cluster:add-node) ...');
  await promisify(execFile)('bash', ['scripts/cluster-up.sh', '--add-node'], { cwd: ROOT, env: process.env });
  const withNode = await bytesPerNode(context.owner);
  const added = Object.keys(withNode).find((node) => !(node in mbBefore));
  const placedBefore = await placements(context.owner);
  say(`rebalancing onto ${added} while tenants write ...`);
  const started = Date.now();
  const rebalance = timed(
    (async () => {
      await json(await admin(context, 'POST', '/admin/cluster/rebalance'));
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const status = (await json(await admin(context, 'GET', '/admin/cluster/rebalance'))).status as { state: string } | null;
        if (!status || ['finished', 'failed', 'cancelled'].includes(status.state)) return status?.state ?? 'none';
      }
    })(),
  );
  const reads = await readWhile(context, rebalance);
  const { value: state, at } = await rebalance;
  const rebalanceSeconds = round((at - started) / 1000);
  const written = await writers.stop();
  const check = await verifyWrites(context.owner, writers.acknowledged);
  const mbAfter = await bytesPerNode(context.owner);
  const placedAfter = await placements(context.owner);
  const moved = [...placedAfter].filter(
    ([shard, placement]) => placedBefore.get(shard)?.node !== undefined && placedBefore.get(shard)?.node !== placement.node,
  );
  const movedMb = Math.round(moved.reduce((sum, [shard]) => sum + (placedBefore.get(shard)?.bytes ?? 0), 0) / 2 ** 20);
  return {
    state,
    addedNode: added ?? null,
    shardsMoved: moved.length,
    seconds: rebalanceSeconds,
    movedMb,
    mbPerSecond: round(movedMb / rebalanceSeconds),
    lostWrites: check.lost,
    duplicatedWrites: check.duplicated,
    errorStretchMs: written.longestErrorStretchMs,
    writes: written,
    reads: { requests: reads.requests, p99Ms: round(reads.latencyMs.p99), errors: reads.non2xx + reads.socketErrors },
    nodeMbBefore: mbBefore,
    nodeMbAfter: mbAfter,
  };
}
