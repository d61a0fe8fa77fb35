import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LatencySummary, summarize } from './load';

export function findPgBench(): string | undefined {
  const candidates = [
    process.env.PG_BIN ? join(process.env.PG_BIN, 'pgbench') : '',
    '/usr/lib/postgresql/15/bin/pgbench',
    '/usr/lib/postgresql/16/bin/pgbench',
    '/usr/lib/postgresql/17/bin/pgbench',
  ].filter(Boolean);
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

export interface CapturedQuery {
  text: string;
  values?: unknown[];
}

export interface FloorTenant {
  id: string;
  orderIds: number[];
}

/**
 * Writes one pgbench script per tenant that replays the statements the API sent for one
 * GET /v1/orders/:id, as captured in the API process. Bind parameters become literals (the
 * tenant id quoted, the order id a \set variable drawn from that tenant's seeded orders);
 * a string of several statements stays one round trip with `\;`. pgbench picks one of the
 * scripts (one per tenant, equal weights) for every transaction. The protocol is the API's:
 * extended (node-postgres sends every statement with Parse/Bind/Execute) unless a string
 * holds several statements, which only the simple protocol can carry.
 */
export function writeFloorScripts(
  directory: string,
  statements: CapturedQuery[],
  sample: { tenantId: string; orderId: number },
  tenants: FloorTenant[],
): { scripts: string[]; protocol: PgBenchProtocol } {
  if (statements.length === 0 || !statements.some((statement) => statement.text.includes(sample.tenantId) || statement.values?.includes(sample.tenantId))) {
    throw new Error(`the captured statements do not name the tenant: ${JSON.stringify(statements.map((statement) => statement.text))}`);
  }
  const multiStatement = statements.some((statement) => statement.text.includes('; '));
  const scripts = tenants.map((tenant, index) => {
    const literal = (value: unknown): string => {
      if (value === sample.tenantId) return `'${tenant.id}'`;
      if (value === sample.orderId || value === String(sample.orderId)) return ':id';
      if (value === null) return 'NULL';
      if (typeof value === 'number') return String(value);
      return `'${(typeof value === 'string' ? value : JSON.stringify(value)).replace(/'/g, "''")}'`;
    };
    const lines = statements.map((statement) => {
      const sql = statement.text
        .replace(/\$(\d+)\b/g, (_match, position: string) => literal(statement.values?.[Number(position) - 1]))
        .split(sample.tenantId)
        .join(tenant.id)
        .replace(/\s*\n\s*/g, ' ')
        .trim();
      return `${sql.split('; ').join('\\; ')};`;
    });
    const choices = tenant.orderIds.map((id, choice) => `WHEN :i = ${choice} THEN ${id}`).join(' ');
    const script = [`\\set i random(0, ${tenant.orderIds.length - 1})`, `\\set id CASE ${choices} ELSE ${tenant.orderIds[0]} END`, ...lines, ''].join('\n');
    const file = join(directory, `get-order-tenant-${String(index).padStart(3, '0')}.sql`);
    writeFileSync(file, script);
    return file;
  });
  return { scripts, protocol: multiStatement ? 'simple' : 'extended' };
}

export type PgBenchProtocol = 'simple' | 'extended';

export interface PgBenchOptions {
  binary: string;
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
  clients: number;
  threads: number;
  durationSec: number;
  scripts: string[];
  /** simple by default. */
  protocol?: PgBenchProtocol;
  /** Folder for the per-transaction logs (latencies). */
  logDirectory?: string;
}

export interface PgBenchResult {
  tps: number;
  transactions: number;
  failed: number;
  abortedClients: number;
  errors: number;
  latencyMs: LatencySummary;
  /** Every transaction's latency, ms (for combining runs). */
  latencies: number[];
  command: string;
}

/** Several pgbench runs as one: tps = all transactions / the time they took. */
export function combinePgBench(parts: PgBenchResult[]): PgBenchResult {
  const sum = (pick: (part: PgBenchResult) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const transactions = sum((part) => part.transactions);
  const seconds = sum((part) => (part.tps > 0 ? part.transactions / part.tps : 0));
  const latencies = parts.flatMap((part) => part.latencies);
  return {
    tps: seconds > 0 ? transactions / seconds : Number.NaN,
    transactions,
    failed: sum((part) => part.failed),
    abortedClients: sum((part) => part.abortedClients),
    errors: sum((part) => part.errors),
    latencyMs: summarize(latencies),
    latencies,
    command: parts[0]?.command ?? '',
  };
}

export async function runPgBench(options: PgBenchOptions): Promise<PgBenchResult> {
  const args = [
    '-n', // no vacuum: there are no pgbench tables
    '-M',
    options.protocol ?? 'simple',
    '-c',
    String(options.clients),
    '-j',
    String(options.threads),
    '-T',
    String(options.durationSec),
    '-h',
    options.host,
    '-p',
    String(options.port),
    '-U',
    options.user,
    ...options.scripts.flatMap((script) => ['-f', script]),
  ];
  const logPrefix = options.logDirectory ? join(options.logDirectory, 'pgbench_log') : undefined;
  if (logPrefix) args.push('-l', `--log-prefix=${logPrefix}`);
  args.push(options.database);

  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'bench-pgbench' };
  if (options.password) env.PGPASSWORD = options.password;
  const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(options.binary, args, { env, cwd: options.logDirectory });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
  });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? Number.NaN);
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  const abortedClients = (stderr.match(/client \d+ aborted/g) ?? []).length;
  if (Number.isNaN(tps) || (status !== 0 && status !== 2)) {
    throw new Error(`pgbench failed (exit ${status}):\n${stdout}\n${stderr.split('\n').slice(0, 20).join('\n')}`);
  }

  const latencies: number[] = [];
  if (options.logDirectory) {
    for (const file of readdirSync(options.logDirectory).filter((name) => name.startsWith('pgbench_log'))) {
      for (const line of readFileSync(join(options.logDirectory, file), 'utf8').split('\n')) {
        const micros = Number(line.split(' ')[2]);
        if (Number.isFinite(micros) && line.length > 0) latencies.push(micros / 1000);
      }
    }
  }
  const printable = [options.binary, ...args.map((arg) => (arg.endsWith('.sql') ? arg.replace(/.*\//, '') : arg))];
  return {
    tps,
    transactions,
    failed,
    abortedClients,
    errors: failed + abortedClients,
    latencyMs: summarize(latencies),
    latencies,
    command: compactCommand(printable, options.scripts.length),
  };
}

/** The pgbench command line with the N script arguments folded into one mention. */
function compactCommand(parts: string[], scriptCount: number): string {
  const out: string[] = [];
  let folded = false;
  for (let index = 0; index < parts.length; index += 1) {
    if (parts[index] === '-f') {
      if (!folded) out.push(`-f get-order-tenant-NNN.sql (x${scriptCount})`);
      folded = true;
      index += 1;
      continue;
    }
    if (parts[index].startsWith('--log-prefix=')) {
      out.push('--log-prefix=<tmp>/pgbench_log');
      continue;
    }
    out.push(parts[index]);
  }
  return out.join(' ');
}
