import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface PgBouncerOptions {
  directory: string;
  upstreamPort: number;
  /** Users PgBouncer accepts and logs in with, with their plain passwords. */
  users: Record<string, string>;
  poolSize?: number;
}

export interface RunningPgBouncer {
  port: number;
  stop(): void;
}

export function findPgBouncer(): string | undefined {
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/**
 * Starts PgBouncer in transaction mode in front of a local PostgreSQL, the way production
 * runs: no session state survives a transaction, so tests through it catch any code that
 * relies on it. PgBouncer refuses to run as root; it then runs as the postgres user.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<RunningPgBouncer> {
  const binary = findPgBouncer();
  if (!binary) throw new Error('pgbouncer is not installed');
  const port = await freePort();
  mkdirSync(options.directory, { recursive: true });
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  writeFileSync(
    join(options.directory, 'userlist.txt'),
    Object.entries(options.users)
      .map(([user, password]) => `${quote(user)} ${quote(password)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  const pidFile = join(options.directory, 'pgbouncer.pid');
  writeFileSync(
    join(options.directory, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${options.upstreamPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${options.directory}`,
      'auth_type = scram-sha-256',
      `auth_file = ${join(options.directory, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 2000',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${join(options.directory, 'pgbouncer.log')}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(options.directory, file), uid, gid);
  }
  const command = asRoot ? ['runuser', '-u', 'postgres', '--', binary] : [binary];
  execFileSync(command[0], [...command.slice(1), '-d', join(options.directory, 'pgbouncer.ini')], { stdio: 'inherit' });
  await waitFor(() => existsSync(pidFile), 5000);
  return {
    port,
    stop() {
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('pgbouncer did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
