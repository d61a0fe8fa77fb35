import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, chmodSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, testEndpoints, testTarget, withOwner } from '@app/testing';

const ROOT = join(__dirname, '../../..');
const MAIN = join(ROOT, 'dist/apps/api/apps/api/src/main.js');

/** Starts the built API with only the given environment; returns what it printed and how it ended. */
function start(environment: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...environment },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

/** Every failure: exit 1, "Failed to start: <what>" then what to do; never undefined, never only a stack. */
function expectExplained(result: { status: number | null; stderr: string }, ...mentions: RegExp[]): void {
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split('\n');
  const [first, second] = lines.slice(lines.findIndex((line) => line.startsWith('Failed to start:')));
  expect(first).toMatch(/^Failed to start: \S/);
  expect(second).toMatch(/^ {2}\S/);
  expect(result.stderr).not.toMatch(/undefined/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  for (const mention of mentions) expect(result.stderr).toMatch(mention);
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('Start-up failures say what failed and what to do', () => {
  const owner = () => testEndpoints().owner;

  beforeAll(async () => {
    await promisify(execFile)('npx', ['nest', 'build', 'api'], { cwd: ROOT });
  }, 180_000);

  it('the embedded PostgreSQL port is taken', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const result = start({ EMBEDDED_PG_PORT: String(port), EMBEDDED_PG_DIR: mkdtempSync(join(tmpdir(), 'startup-port-')), PORT: String(await freePort()) });
      expectExplained(result, new RegExp(`Port ${port}`), /EMBEDDED_PG_PORT/);
    } finally {
      blocker.close();
    }
  });

  it('the embedded data folder cannot be used', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'startup-dir-'));
    const locked = join(parent, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      const result = start({
        EMBEDDED_PG_DIR: join(locked, process.getuid?.() === 0 ? 'pg' : 'nested/pg'),
        EMBEDDED_PG_PORT: String(await freePort()),
        PORT: String(await freePort()),
      });
      expectExplained(result, /EMBEDDED_PG_DIR/, /cannot use/);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it('the configured database refuses the connection', async () => {
    const result = start({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/app`, PORT: String(await freePort()) });
    expectExplained(result, /refused the connection/, /DATABASE_URL/);
  });

  it('a migration fails: its name and the database message', async () => {
    const database = `startup_${Date.now()}`;
    await withOwner(owner(), (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(owner());
    url.pathname = `/${database}`;
    try {
      if (testTarget() === 'citus') await withOwner(url.toString(), (client) => client.query('CREATE EXTENSION citus'));
      await withOwner(url.toString(), (client) => client.query('CREATE TABLE orders (unexpected integer)'));
      const result = start({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
      expectExplained(result, /Migration CreateTenantTables\d+ failed/, /relation "orders" already exists/);
    } finally {
      await withOwner(owner(), (client) => client.query(`DROP DATABASE ${database} WITH (FORCE)`));
    }
  });

  (testTarget() === 'citus' ? it : it.skip)('the server is a Citus node but the database has no Citus extension', async () => {
    const database = `startup_nocitus_${Date.now()}`;
    await withOwner(owner(), (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(owner());
    url.pathname = `/${database}`;
    try {
      const result = start({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
      expectExplained(result, /preloads Citus/, /CREATE EXTENSION citus/);
    } finally {
      await withOwner(owner(), (client) => client.query(`DROP DATABASE ${database} WITH (FORCE)`));
    }
  });

  it('the API port is taken', async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const { owner: DATABASE_URL, tenant: TENANT_DATABASE_URL, control: CONTROL_DATABASE_URL } = testEndpoints();
      const result = start({ DATABASE_URL, TENANT_DATABASE_URL, CONTROL_DATABASE_URL, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: 'false' });
      expectExplained(result, new RegExp(`Port ${port} is in use`), /set PORT/);
    } finally {
      blocker.close();
    }
  });
});
