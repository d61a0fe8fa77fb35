import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, PayloadTooLargeException } from '@nestjs/common';
import { DatabaseRole, Environment } from '@app/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { Connection, databaseCode, TENANT_IMPORT_LOCK, TENANT_TABLES, TenantTable } from '@app/persistence';
import { AuditTrail } from '../audit/admin-audit';
import { ClusterRepository } from '../cluster/cluster.repository';
import { assertCanonicalTenantId, CANONICAL_UUID } from '@app/tenancy';
import { issueApiKey } from '@app/tenants';
import { StoredCounter, UsageRepository } from '@app/usage';
import { ArchiveDigest, ArchivedTenant } from './tenant-archive';

/** A batch is sent at whichever bound it reaches first: a thousand small rows, or 4 MiB of long ones (lines may be 1 MiB each). */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;
/** A client that stops sending mid-upload must not hold the owner transaction and its locks open until the import timeout. */
const STALLED_UPLOAD_SECONDS = 60;
/** Ten years of every counter of a tenant are far fewer; the usage lines are held until the manifest has vouched for them. */
const MAX_USAGE_LINES = 100_000;

export interface ImportResult {
  tenant: ArchivedTenant;
  apiKey: string;
  rows: Record<TenantTable, number>;
}

const refuse = (line: number, message: string) => new BadRequestException(`Line ${line}: ${message}`);

/** One owner transaction on the coordinator, batch by batch as the stream arrives. asNew keeps row ids: keys are (tenant_id, id). */
@Injectable()
export class TenantImportService {
  constructor(
    @InjectDataSource(Connection.Owner) private readonly dataSource: DataSource,
    private readonly cluster: ClusterRepository,
    @Inject(Environment) private readonly environment: Environment,
    private readonly trail: AuditTrail,
    private readonly usage: UsageRepository,
  ) {}

  async import(lines: AsyncIterable<string>, options: { asNew: boolean }): Promise<ImportResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '${STALLED_UPLOAD_SECONDS}s'`);
      const result = await this.replay(runner, lines, options);
      await this.trail.recordWithin((sql, parameters) => runner.query(sql, parameters), { tenantId: result.tenant.id, details: { rows: result.rows } });
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async replay(runner: QueryRunner, lines: AsyncIterable<string>, options: { asNew: boolean }): Promise<ImportResult> {
    const columns = await this.insertableColumns(runner);
    const digest = new ArchiveDigest();
    let archived: ArchivedTenant | undefined;
    let tenantId = '';
    let apiKey = '';
    let manifest: unknown;
    let tableIndex = 0;
    let batch: Array<Record<string, unknown>> = [];
    let batchBytes = 0;
    let totalBytes = 0;
    let lineNumber = 0;
    const usage: StoredCounter[] = [];

    const flush = async () => {
      if (batch.length === 0) return;
      const table = TENANT_TABLES[tableIndex];
      await this.insertBatch(runner, table, columns[table].insertable, batch, lineNumber);
      batch = [];
      batchBytes = 0;
    };

    for await (const line of lines) {
      lineNumber += 1;
      totalBytes += Buffer.byteLength(line) + 1;
      if (totalBytes > this.environment.IMPORT_MAX_BYTES) {
        throw new PayloadTooLargeException(`The archive exceeds IMPORT_MAX_BYTES (${this.environment.IMPORT_MAX_BYTES} bytes); nothing was written`);
      }
      if (line.trim() === '') continue;
      if (manifest !== undefined) throw refuse(lineNumber, 'nothing may follow the manifest');
      const parsed = parseLine(line, lineNumber);
      if (!archived) {
        archived = parseTenant(parsed.tenant, lineNumber);
        tenantId = options.asNew ? randomUUID() : archived.id;
        apiKey = await this.createTenant(runner, { ...archived, id: tenantId }, lineNumber);
        // On a single node the rows are written as the tenant role, under row-level security; on Citus the role would not reach
        // the workers, and its INSERT ... SELECT would reach them as COPY, which RLS refuses (docs/deployment.md).
        if ((await this.cluster.clusterMode()) !== 'citus') {
          await runner.query(`SET LOCAL ROLE ${DatabaseRole.Tenant}`);
          await runner.query(`SET LOCAL app.tenant_id = '${assertCanonicalTenantId(tenantId)}'`);
        }
        continue;
      }
      if (parsed.manifest !== undefined) {
        await flush();
        manifest = parsed.manifest;
        continue;
      }
      if (parsed.usage !== undefined) {
        await flush();
        if (usage.length >= MAX_USAGE_LINES) throw refuse(lineNumber, `more than ${MAX_USAGE_LINES} usage lines`);
        usage.push(parseUsage(parsed.usage, lineNumber));
        digest.addUsage(`${line}\n`);
        continue;
      }
      if (usage.length > 0) throw refuse(lineNumber, 'rows must come before the usage lines');
      const table = parsed.table as TenantTable;
      const index = TENANT_TABLES.indexOf(table);
      if (index < 0) throw refuse(lineNumber, `"table" must be one of ${TENANT_TABLES.join(', ')}`);
      if (index < tableIndex) throw refuse(lineNumber, `rows of ${table} must come before those of ${TENANT_TABLES[tableIndex]}`);
      if (index > tableIndex) {
        await flush();
        tableIndex = index;
      }
      const row = parsed.row;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw refuse(lineNumber, '"row" must be an object');
      const unknown = Object.keys(row).find((column) => !columns[table].all.has(column));
      if (unknown !== undefined) throw refuse(lineNumber, `${table} has no column "${unknown}"`);
      if ((row as { tenant_id?: unknown }).tenant_id !== archived.id) throw refuse(lineNumber, 'the row belongs to another tenant than the tenant line');
      digest.add(table, `${line}\n`);
      batch.push({ ...row, tenant_id: tenantId });
      batchBytes += line.length;
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
    }

    if (!archived) throw refuse(lineNumber, 'the archive is empty: it must start with a tenant line');
    if (manifest === undefined) throw refuse(lineNumber, 'the archive is truncated: it has no manifest line');
    verifyManifest(manifest, digest, archived.id, lineNumber);
    await runner.query('RESET ROLE');
    await this.advanceIdentities(runner);
    // A copy is a new tenant and starts with no usage; a restore brings back what the tenant was billed for.
    if (!options.asNew) await this.restoreUsage(runner, tenantId, usage, lineNumber);
    return { tenant: { ...archived, id: tenantId }, apiKey, rows: digest.counts };
  }

  private async restoreUsage(runner: QueryRunner, tenantId: string, usage: StoredCounter[], lineNumber: number): Promise<void> {
    try {
      await this.usage.restoreWithin((sql, parameters) => runner.query(sql, parameters), tenantId, usage);
    } catch (error) {
      // The table's own checks judge the counters (names, non-negative values, real days): a refusal is the archive's fault.
      const code = databaseCode(error) ?? '';
      if (code.startsWith('22') || code.startsWith('23')) throw refuse(lineNumber, `the usage lines do not fit the usage table (SQLSTATE ${code})`);
      throw error;
    }
  }

  private async createTenant(runner: QueryRunner, tenant: ArchivedTenant, lineNumber: number): Promise<string> {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_xact_lock(hashtextextended($2, $1)) AS locked`, [
      TENANT_IMPORT_LOCK,
      tenant.id,
    ])) as Array<{
      locked: boolean;
    }>;
    if (!locked) throw new ConflictException(`An import of tenant ${tenant.id} is in progress; retry when it has finished`);
    const existing = (await runner.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenant.id])) as unknown[];
    if (existing.length > 0) throw new ConflictException(`Tenant ${tenant.id} exists; import it with ?as=new to make a copy`);
    const plans = (await runner.query(`SELECT 1 FROM plans WHERE id = $1`, [tenant.plan])) as unknown[];
    if (plans.length === 0) throw refuse(lineNumber, `unknown plan "${tenant.plan}"`);
    await runner.query(`INSERT INTO tenants (id, name, plan, status, created_at) VALUES ($1, $2, $3, $4, $5)`, [
      tenant.id,
      tenant.name,
      tenant.plan,
      tenant.status,
      tenant.createdAt,
    ]);
    const key = issueApiKey(this.environment.API_KEY_SECRET);
    await runner.query(`INSERT INTO api_keys (tenant_id, key_hash, prefix, signed) VALUES ($1, $2, $3, $4)`, [tenant.id, key.hash, key.prefix, key.signed]);
    return key.key;
  }

  private async insertBatch(runner: QueryRunner, table: TenantTable, columns: string[], rows: unknown[], lineNumber: number): Promise<void> {
    // Table and column names come from TENANT_TABLES and the catalog, never from the archive.
    const list = columns.join(', ');
    try {
      await runner.query(`INSERT INTO ${table} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [
        JSON.stringify(rows),
      ]);
    } catch (error) {
      const code = databaseCode(error) ?? '';
      // Data exceptions (22), constraint violations (23) and rows row-level security refuses (42501): the archive's fault.
      if (code.startsWith('22') || code.startsWith('23') || code === '42501') {
        throw refuse(lineNumber, `rows of ${table} up to this line do not fit the table (SQLSTATE ${code})`);
      }
      throw error;
    }
  }

  /** Identities must not hand out an imported id later (README, "Operating tenants"). */
  private async advanceIdentities(runner: QueryRunner): Promise<void> {
    if ((await this.cluster.clusterMode()) === 'citus') return;
    for (const table of TENANT_TABLES) {
      await runner.query(
        `SELECT setval(seq, greatest((SELECT coalesce(max(id), 1) FROM ${table}), coalesce(pg_sequence_last_value(seq), 1)))
           FROM (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) s`,
        [table],
      );
    }
  }

  private async insertableColumns(runner: QueryRunner): Promise<Record<TenantTable, { all: Set<string>; insertable: string[] }>> {
    const rows = (await runner.query(
      `SELECT c.relname AS "table", a.attname AS "column", a.attgenerated <> '' AS generated
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [[...TENANT_TABLES]],
    )) as Array<{ table: TenantTable; column: string; generated: boolean }>;
    return Object.fromEntries(
      TENANT_TABLES.map((table) => {
        const own = rows.filter((row) => row.table === table);
        return [table, { all: new Set(own.map((row) => row.column)), insertable: own.filter((row) => !row.generated).map((row) => row.column) }];
      }),
    ) as Record<TenantTable, { all: Set<string>; insertable: string[] }>;
  }
}

function parseLine(line: string, lineNumber: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw refuse(lineNumber, 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refuse(lineNumber, 'must be a JSON object');
  if (line.includes('\\u0000')) throw refuse(lineNumber, 'must not contain NUL characters');
  return parsed as Record<string, unknown>;
}

function parseTenant(value: unknown, lineNumber: number): ArchivedTenant {
  const fail = (message: string) => refuse(lineNumber, `the tenant line ${message}`);
  if (typeof value !== 'object' || value === null) throw fail('must come first: {"tenant": {...}}');
  const tenant = value as Partial<Record<keyof ArchivedTenant, unknown>>;
  if (typeof tenant.id !== 'string' || !CANONICAL_UUID.test(tenant.id)) throw fail('needs a uuid "id"');
  if (typeof tenant.name !== 'string' || tenant.name.trim().length < 1 || tenant.name.length > 200) throw fail('needs a "name" of 1..200 characters');
  if (typeof tenant.plan !== 'string') throw fail('needs a "plan"');
  if (tenant.status !== 'active' && tenant.status !== 'suspended') throw fail('needs a "status" of active or suspended');
  if (typeof tenant.createdAt !== 'string' || Number.isNaN(Date.parse(tenant.createdAt)) || !/^\d{4}-\d{2}-\d{2}T/.test(tenant.createdAt)) {
    throw fail('needs an ISO-8601 "createdAt"');
  }
  return { id: tenant.id, name: tenant.name, plan: tenant.plan, status: tenant.status, createdAt: tenant.createdAt };
}

function parseUsage(value: unknown, lineNumber: number): StoredCounter {
  const counter = value as Partial<Record<keyof StoredCounter, unknown>> | null;
  if (
    typeof counter !== 'object' ||
    counter === null ||
    typeof counter.day !== 'string' ||
    typeof counter.counter !== 'string' ||
    typeof counter.value !== 'number' ||
    !Number.isSafeInteger(counter.value)
  ) {
    throw refuse(lineNumber, 'a usage line needs {"usage": {"day": "YYYY-MM-DD", "counter": "...", "value": <integer>}}');
  }
  return { day: counter.day, counter: counter.counter, value: counter.value };
}

function verifyManifest(value: unknown, digest: ArchiveDigest, tenantId: string, lineNumber: number): void {
  if (typeof value !== 'object' || value === null) throw refuse(lineNumber, 'the manifest must be an object');
  type PerTable = Partial<Record<TenantTable, unknown>> | null | undefined;
  const manifest = value as { tenantId?: unknown; counts?: PerTable; sha256?: PerTable; usage?: { count?: unknown; sha256?: unknown } };
  if (manifest.tenantId !== tenantId) throw refuse(lineNumber, 'the manifest names another tenant than the tenant line');
  const sha256 = digest.sha256();
  for (const table of TENANT_TABLES) {
    const count = manifest.counts?.[table];
    if (count !== digest.counts[table]) {
      throw refuse(lineNumber, `the manifest counts ${String(count)} rows of ${table}; the archive has ${digest.counts[table]}`);
    }
    if (manifest.sha256?.[table] !== sha256[table]) throw refuse(lineNumber, `the SHA-256 of the ${table} lines does not match the manifest`);
  }
  // Archives written before usage was exported have no usage entry, and may have no usage lines.
  const usage = digest.usage();
  const expected = manifest.usage ?? { count: 0, sha256: usage.count === 0 ? usage.sha256 : undefined };
  if (expected.count !== usage.count) throw refuse(lineNumber, `the manifest counts ${String(expected.count)} usage lines; the archive has ${usage.count}`);
  if (expected.sha256 !== usage.sha256) throw refuse(lineNumber, 'the SHA-256 of the usage lines does not match the manifest');
}
