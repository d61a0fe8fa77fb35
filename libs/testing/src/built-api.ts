import { ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import type { AppRoleEndpoints } from '@app/config';

const ROOT = join(__dirname, '../../..');
export const BUILT_API_MAIN = join(ROOT, 'dist/apps/api/apps/api/src/main.js');

export interface BuiltApi {
  readonly base: string;
  readonly process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): void;
}

export async function buildApi(): Promise<void> {
  await promisify(execFile)('npx', ['nest', 'build', 'api'], { cwd: ROOT });
}

/**
 * The compiled tenant API as its own process, with the two app roles' URLs and nothing of the owner: what production runs, and the
 * only way to test what patches modules at load time (jest's module registry bypasses those patches).
 */
export async function startBuiltApi(endpoints: AppRoleEndpoints, environment: Record<string, string>): Promise<BuiltApi> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [BUILT_API_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      TENANT_DATABASE_URL: endpoints.tenant,
      CONTROL_DATABASE_URL: endpoints.control,
      CONTROL_LISTEN_URL: endpoints.controlListen,
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const api: BuiltApi = { base, process: child, output: () => output, stop: () => child.kill('SIGKILL') };
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const ready = await fetch(`${base}/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return api;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  api.stop();
  throw new Error(`the tenant API did not become ready:\n${output}`);
}
