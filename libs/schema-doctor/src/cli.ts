import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { examineSchema, exitCodeOf, formatFindings } from './doctor';

const USAGE = 'usage: npm run doctor -- --url postgres://user@host:port/db [--schema public] [--tenant-column tenant_id] [--json]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        schema: { type: 'string', default: 'public' },
        'tenant-column': { type: 'string', default: 'tenant_id' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 3;
  }
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(`No database: pass --url or set DATABASE_URL.\n${USAGE}\n`);
    return 3;
  }
  const client = new Client({ connectionString: url, application_name: 'schema-doctor' });
  try {
    await client.connect();
  } catch (error) {
    process.stderr.write(`Cannot connect to ${new URL(url).host}: ${(error as Error).message}\n`);
    return 3;
  }
  try {
    const findings = await examineSchema(
      { query: async <Row>(sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows as Row[] },
      { schema: values.schema, tenantColumn: values['tenant-column'] },
    );
    process.stdout.write(values.json ? `${JSON.stringify({ ok: exitCodeOf(findings) < 2, findings }, null, 2)}\n` : formatFindings(findings));
    return exitCodeOf(findings);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`schema doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  },
);
