/**
 * npm run bench:profile: where the API's CPU goes under load. Starts the API on a throwaway
 * embedded node with V8's --cpu-prof, seeds tenants, drives GET /v1/orders/:id (or the tenant
 * mix with BENCH_PROFILE_WORKLOAD=mix), and prints the samples by package and by function,
 * with the API's CPU per request measured from /proc alongside.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@app/testing';
import { startApi } from './lib/api-process';
import { startControlPlane } from './lib/control-plane';
import { drive } from './lib/load';
import { MAIN_JS, PROBE, RESULTS, ROOT, say } from './lib/setup';
import { apiEnvironment, CONFIG, getGenerator, mixGenerator, seed } from './lib/workload';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const WORKLOAD = process.env.BENCH_PROFILE_WORKLOAD === 'mix' ? 'mix' : 'get';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** node_modules/<package> (scoped too), Node's own code, V8's pseudo-frames, or the project. */
function owner(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  return url.includes('/dist/') || url.includes('/apps/') || url.includes('/libs/') ? '(this project)' : url;
}

function summarize(profile: CpuProfile, requests: number, cpuMsPerRequest: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<number, number>();
  for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  const busy = profile.samples.filter((sample) => byId.get(sample)?.callFrame.functionName !== '(idle)').length;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, count] of counts) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === '(idle)') continue;
    const pkg = owner(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + count);
    const name = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + count);
  }
  const table = (title: string, entries: Map<string, number>, limit: number) => [
    `| ${title} | share of busy samples | µs per request |`,
    '| --- | ---: | ---: |',
    ...[...entries.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, limit)
      .map(([name, count]) => `| ${name} | ${((100 * count) / busy).toFixed(1)}% | ${((1000 * cpuMsPerRequest * count) / busy).toFixed(0)} |`),
  ];
  return [
    `Workload: ${WORKLOAD === 'get' ? 'GET /v1/orders/:id' : 'the tenant mix'}, ${CONFIG.connections} connections, ${SECONDS} s; ${requests} requests; API CPU ${cpuMsPerRequest.toFixed(3)} ms per request (/proc); ${busy} busy samples.`,
    '',
    ...table('Package (self time)', packages, 25),
    '',
    ...table('Function (self time)', functions, 25),
  ].join('\n');
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    for (const project of ['api', 'control-plane']) spawnSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'inherit' });
  }
  const work = mkdtempSync(join(tmpdir(), 'orders-profile-'));
  chmodSync(work, 0o755);
  const profiles = join(work, 'profiles');
  mkdirSync(profiles);
  const port = await freePort();
  // Without the production heap cap: the profile is of the code, not of the collector under a cap.
  const env = { ...apiEnvironment(port, ''), EMBEDDED_PG_DIR: join(work, 'embedded-pg'), EMBEDDED_PG_PORT: String(await freePort()) };
  const controlPlane = await startControlPlane(env, work);
  const api = await startApi({
    name: 'profile',
    mainJs: MAIN_JS,
    probe: PROBE,
    port,
    env,
    logFile: join(work, 'api.log'),
    cwd: ROOT,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
  });
  try {
    say('Seeding ...');
    const tenants = await seed(api, controlPlane);
    const next = WORKLOAD === 'get' ? getGenerator(tenants) : mixGenerator(tenants);
    await drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: 3, next });
    say(`Profiling ${SECONDS} s ...`);
    const before = api.cpuMs() ?? 0;
    const load = await drive({ url: api.baseUrl, connections: CONFIG.connections, durationSec: SECONDS, next });
    const cpuMsPerRequest = ((api.cpuMs() ?? 0) - before) / load.requests;
    if (load.errors > 0 || load.checks.failed > 0) throw new Error(`the load had ${load.errors} errors and ${load.checks.failed} failed leak checks`);
    await api.stop();
    const file = readdirSync(profiles).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the API wrote no CPU profile');
    // The profile covers startup and seeding too; their samples are few next to the load's.
    const report = summarize(JSON.parse(readFileSync(join(profiles, file), 'utf8')) as CpuProfile, load.requests, cpuMsPerRequest);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `profile-${WORKLOAD}.md`), `${report}\n`);
    say(`\n${report}\n\nWritten: bench/results/profile-${WORKLOAD}.md`);
  } finally {
    await api.stop();
    await controlPlane.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
