import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Injects faults into the local cluster started by scripts/cluster-up.sh (the one in
 * CLUSTER_DIR): stops nodes and PgBouncer the way a crash or a deploy would, and brings
 * everything back by running cluster-up again, which starts whatever is down.
 */
export class ClusterControl {
  private readonly repositoryRoot = resolve(__dirname, '../../..');
  readonly directory = process.env.CLUSTER_DIR ?? join(this.repositoryRoot, '.cluster');
  private readonly pgBin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

  stopNode(node: 'coordinator' | 'worker1' | 'worker2', mode: 'fast' | 'immediate' = 'fast'): void {
    this.asOwner(join(this.pgBin, 'pg_ctl'), ['-D', join(this.directory, node, 'data'), '-m', mode, '-w', 'stop']);
  }

  stopPgBouncer(): void {
    const pidFile = join(this.directory, 'pgbouncer', 'pgbouncer.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      // SIGINT: PgBouncer's fast shutdown, every client and server connection dropped at once.
      process.kill(pid, 'SIGINT');
    } catch {
      return;
    }
    for (let attempt = 0; attempt < 100 && isAlive(pid); attempt += 1) {
      execFileSync('sleep', ['0.05']);
    }
  }

  /** Starts every node and PgBouncer that is not running. */
  startAll(): void {
    execFileSync('bash', [join(this.repositoryRoot, 'scripts', 'cluster-up.sh')], { stdio: 'ignore', env: process.env });
  }

  workerPort(node: 'worker1' | 'worker2'): number {
    const variable = node === 'worker1' ? 'CLUSTER_WORKER1_PORT' : 'CLUSTER_WORKER2_PORT';
    return Number(process.env[variable] ?? (node === 'worker1' ? 9701 : 9702));
  }

  private asOwner(command: string, args: string[]): void {
    const asRoot = process.getuid?.() === 0;
    execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'ignore' });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2].startsWith('Z');
  } catch {
    return false;
  }
}
