/**
 * npm run bench:profile: where the API's CPU goes under load. Starts the API on a throwaway
 * embedded node with V8's --cpu-prof, seeds tenants, drives GET /v1/orders/:id (or the tenant
 * mix with BENCH_PROFILE_WORKLOAD=mix), and prints the samples by package and by function,
 * with the API's CPU per request measured from /proc alongside. For GET /v1/orders/:id it then
 * profiles a peer (bench/peers; BENCH_PROFILE_PEER, express by default) on the same data the same
 * way, and prints what the API spends beyond it, package by package.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@app/testing';
import { ApiProcess, startApi } from './lib/api-process';
import { startControlPlane } from './lib/control-plane';
import { drive } from './lib/load';
import type { BenchRequest } from './lib/load';
import { Peer, peerProgram } from './lib/side-by-side';
import { MAIN_JS, PROBE, RESULTS, ROOT, say } from './lib/setup';
import { apiEnvironment, CONFIG, getGenerator, mixGenerator, seed } from './lib/workload';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const WORKLOAD = process.env.BENCH_PROFILE_WORKLOAD === 'mix' ? 'mix' : 'get';
const PEERS: Peer[] = ['express', 'nest', 'nest-fastify', 'bare'];
/** The peer the API is compared with: BENCH_PROFILE_PEER=express (the default), nest, nest-fastify or bare. */
const PEER = PEERS.find((peer) => peer === process.env.BENCH_PROFILE_PEER) ?? 'express';

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

interface Spend {
  busy: number;
  /** µs per request by package and by function, self time. */
  packages: Map<string, number>;
  functions: Map<string, number>;
}

function spend(profile: CpuProfile, cpuMsPerRequest: number): Spend {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<number, number>();
  for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  const busy = profile.samples.filter((sample) => byId.get(sample)?.callFrame.functionName !== '(idle)').length;
  const perRequest = (count: number) => (1000 * cpuMsPerRequest * count) / busy;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, count] of counts) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === '(idle)') continue;
    const pkg = owner(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + perRequest(count));
    const name = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + perRequest(count));
  }
  return { busy, packages, functions };
}

function table(title: string, entries: Map<string, number>, cpuMsPerRequest: number, limit: number): string[] {
  return [
    `| ${title} | share of busy samples | µs per request |`,
    '| --- | ---: | ---: |',
    ...[...entries.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, limit)
      .map(([name, us]) => `| ${name} | ${(us / (10 * cpuMsPerRequest)).toFixed(1)}% | ${us.toFixed(0)} |`),
  ];
}

function summarize({ busy, packages, functions }: Spend, requests: number, cpuMsPerRequest: number): string {
  return [
    `Workload: ${WORKLOAD === 'get' ? 'GET /v1/orders/:id' : 'the tenant mix'}, ${CONFIG.connections} connections, ${SECONDS} s; ${requests} requests; API CPU ${cpuMsPerRequest.toFixed(3)} ms per request (/proc); ${busy} busy samples.`,
    '',
    ...table('Package (self time)', packages, cpuMsPerRequest, 25),
    '',
    ...table('Function (self time)', functions, cpuMsPerRequest, 25),
  ].join('\n');
}

/** The API's µs per request beside the peer's, by package, largest difference first. */
function compare(api: Spend, peer: Spend, apiCpuMs: number, peerCpuMs: number): string {
  const rows = (apiSide: Map<string, number>, peerSide: Map<string, number>, limit: number) =>
    [...new Set([...apiSide.keys(), ...peerSide.keys()])]
      .map((name) => ({ name, api: apiSide.get(name) ?? 0, peer: peerSide.get(name) ?? 0 }))
      .sort((left, right) => right.api - right.peer - (left.api - left.peer))
      .slice(0, limit)
      .map(({ name, api: apiUs, peer: peerUs }) => `| ${name} | ${apiUs.toFixed(0)} | ${peerUs.toFixed(0)} | ${(apiUs - peerUs).toFixed(0)} |`);
  return [
    `API ${apiCpuMs.toFixed(3)} ms per request against the ${PEER} peer's ${peerCpuMs.toFixed(3)} ms (${(apiCpuMs / peerCpuMs).toFixed(2)}x), same data, same load.`,
    '',
    `| Package (self time) | API µs / request | ${PEER} peer µs / request | difference |`,
    '| --- | ---: | ---: | ---: |',
    ...rows(api.packages, peer.packages, 20),
    '',
    `| Function (self time) | API µs / request | ${PEER} peer µs / request | difference |`,
    '| --- | ---: | ---: | ---: |',
    ...rows(api.functions, peer.functions, 30),
  ].join('\n');
}

/** Drives `url` for the profile's length after a short warmup; CPU per request from /proc. */
async function profiled(process_: ApiProcess, next: () => BenchRequest): Promise<{ requests: number; cpuMsPerRequest: number }> {
  await drive({ url: process_.baseUrl, connections: CONFIG.connections, durationSec: 3, next });
  say(`Profiling ${process_.name} ${SECONDS} s ...`);
  const before = process_.cpuMs() ?? 0;
  const load = await drive({ url: process_.baseUrl, connections: CONFIG.connections, durationSec: SECONDS, next });
  const cpuMsPerRequest = ((process_.cpuMs() ?? 0) - before) / load.requests;
  if (load.errors > 0 || load.checks.failed > 0) throw new Error(`the load had ${load.errors} errors and ${load.checks.failed} failed leak checks`);
  await process_.stop();
  return { requests: load.requests, cpuMsPerRequest };
}

function readProfile(directory: string): CpuProfile {
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile in ${directory}`);
  // The profile covers startup and seeding too; their samples are few next to the load's.
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    for (const project of ['api', 'control-plane']) spawnSync('npx', ['nest', 'build', project], { cwd: ROOT, stdio: 'inherit' });
  }
  const work = mkdtempSync(join(tmpdir(), 'orders-profile-'));
  chmodSync(work, 0o755);
  const profiles = { api: join(work, 'profiles-api'), peer: join(work, 'profiles-peer') };
  for (const directory of Object.values(profiles)) mkdirSync(directory);
  const port = await freePort();
  const databasePort = await freePort();
  // Without the production heap cap: the profile is of the code, not of the collector under a cap.
  const env = { ...apiEnvironment(port, ''), EMBEDDED_PG_DIR: join(work, 'embedded-pg'), EMBEDDED_PG_PORT: String(databasePort) };
  const controlPlane = await startControlPlane(env, work);
  const processes: ApiProcess[] = [];
  const start = async (
    name: string,
    program: { mainJs: string; nodeArgs: string[]; programArgs?: string[] },
    processEnv: NodeJS.ProcessEnv,
    directory: string,
  ) => {
    const started = await startApi({
      name,
      mainJs: program.mainJs,
      programArgs: program.programArgs,
      probe: PROBE,
      port: Number(processEnv.PORT),
      env: processEnv,
      logFile: join(work, `${name}.log`),
      cwd: ROOT,
      nodeArgs: [...program.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${directory}`],
    });
    processes.push(started);
    return started;
  };
  try {
    const api = await start('api', { mainJs: MAIN_JS, nodeArgs: [] }, env, profiles.api);
    say('Seeding ...');
    const tenants = await seed(api, controlPlane);
    const next = WORKLOAD === 'get' ? getGenerator(tenants) : mixGenerator(tenants);
    const apiRun = await profiled(api, next);
    const apiSpend = spend(readProfile(profiles.api), apiRun.cpuMsPerRequest);
    const report = [summarize(apiSpend, apiRun.requests, apiRun.cpuMsPerRequest)];
    if (WORKLOAD === 'get') {
      const { roles } = JSON.parse(readFileSync(join(env.EMBEDDED_PG_DIR, 'credentials.json'), 'utf8')) as { roles: Record<string, string> };
      const url = (role: string) => `postgres://${role}:${encodeURIComponent(roles[role])}@127.0.0.1:${databasePort}/app`;
      const peerEnv = { ...env, PORT: String(await freePort()), TENANT_DATABASE_URL: url('app_tenant'), CONTROL_DATABASE_URL: url('app_control') };
      const peer = await start(PEER, peerProgram(PEER), peerEnv, profiles.peer);
      const peerRun = await profiled(peer, next);
      report.push(compare(apiSpend, spend(readProfile(profiles.peer), peerRun.cpuMsPerRequest), apiRun.cpuMsPerRequest, peerRun.cpuMsPerRequest));
    }
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `profile-${WORKLOAD}${PEER === 'express' ? '' : `-${PEER}`}.md`), `${report.join('\n\n')}\n`);
    say(`\n${report.join('\n\n')}\n\nWritten: bench/results/profile-${WORKLOAD}${PEER === 'express' ? '' : `-${PEER}`}.md`);
  } finally {
    for (const started of processes) await started.stop();
    await controlPlane.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
