/**
 * GET /v1/orders/:id served four ways in one run, in alternating slices so that all four see the
 * same machine: the API, the API with tracing on (exporting to a local OTLP receiver), and two
 * peers doing the same work without the framework (bench/peers): express + pg and node:http + pg.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@app/testing';
import { ApiProcess, startApi } from './api-process';
import { combineLoads, drive, LoadResult } from './load';
import type { BenchRequest } from './load';
import { MAIN_JS, PROBE, ROOT, say } from './setup';
import { CONFIG } from './workload';

export interface SideBySideServer {
  server: 'api' | 'api-logged' | 'api-traced' | Peer;
  label: string;
  load: LoadResult;
  cpuMsPerRequest: number | null;
}

export interface SideBySide {
  servers: SideBySideServer[];
  /** The API's CPU per request over the express peer's (goal <= 1.15) and over the bare peer's. */
  apiCpuToExpress: number | null;
  apiCpuToBare: number | null;
  /** NestJS's own cost on this route: the nest peer's CPU per request over the express peer's. */
  nestCpuToExpress: number | null;
  nestFastifyCpuToExpress: number | null;
  /** The API's own work on its framework: its CPU per request over the NestJS-on-fastify peer's. */
  apiCpuToNestFastify: number | null;
  /** CPU per request with tracing on over off, and what the receiver got (export requests, protobuf bytes). */
  tracingCpuRatio: number | null;
  /** CPU per request with the access log at info over the bench's warn. */
  accessLogCpuRatio: number | null;
  otlpExports: number;
  otlpBytes: number;
}

const LABELS: Record<SideBySideServer['server'], string> = {
  api: 'API (NestJS on fastify)',
  'api-logged': 'API with the access log at info (the production level)',
  'api-traced': 'API with tracing (OTLP to a local receiver)',
  nest: 'Peer: NestJS on express + pg, same work, nothing else',
  'nest-fastify': 'Peer: NestJS on fastify + pg, same work, nothing else',
  express: 'Peer: express + pg, same work',
  bare: 'Peer: node:http + pg, same work',
};

export type Peer = 'nest' | 'nest-fastify' | 'express' | 'bare';

/** How a peer of bench/peers is started: its TypeScript through ts-node, as the bench itself runs. */
export function peerProgram(server: Peer): { mainJs: string; nodeArgs: string[]; programArgs: string[] } {
  const nodeArgs = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
  if (server === 'nest-fastify') return { mainJs: join(ROOT, 'bench/peers/nest-server.ts'), nodeArgs, programArgs: ['fastify'] };
  return { mainJs: join(ROOT, `bench/peers/${server}-server.ts`), nodeArgs, programArgs: [] };
}

/** A collector stand-in: takes every OTLP/HTTP export and counts requests and bytes, so the exporting costs what it would in production. */
async function startOtlpSink(): Promise<{ server: Server; endpoint: string; exports: () => number; bytes: () => number }> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      exports += 1;
      response.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports: () => exports, bytes: () => bytes };
}

export async function measureSideBySide(options: {
  name: string;
  work: string;
  env: NodeJS.ProcessEnv;
  /** The app roles' URLs of the database the API under test uses, reached the same way. */
  tenantUrl: string;
  controlUrl: string;
  api: ApiProcess;
  next: () => BenchRequest;
  slices: number;
  sliceSec: number;
}): Promise<SideBySide> {
  const sink = await startOtlpSink();
  const roleEnvironment: NodeJS.ProcessEnv = {
    ...options.env,
    TENANT_DATABASE_URL: options.tenantUrl,
    CONTROL_DATABASE_URL: options.controlUrl,
    CONTROL_LISTEN_URL: options.controlUrl,
  };
  delete roleEnvironment.DATABASE_URL;
  delete roleEnvironment.EMBEDDED_PG_DIR;
  const start = async (server: Exclude<SideBySideServer['server'], 'api'>): Promise<ApiProcess> => {
    const port = await freePort();
    const peer = server !== 'api-traced' && server !== 'api-logged';
    return startApi({
      name: `${options.name}-${server}`,
      ...(peer ? peerProgram(server) : { mainJs: MAIN_JS, nodeArgs: [] }),
      probe: PROBE,
      port,
      env: {
        ...roleEnvironment,
        PORT: String(port),
        ...(server === 'api-traced' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint } : {}),
        // The bench's API logs at warn; production logs every request at info, one line to stdout each.
        ...(server === 'api-logged' ? { LOG_LEVEL: 'info' } : {}),
      },
      logFile: join(options.work, `${options.name}-${server}.log`),
      cwd: ROOT,
    });
  };
  const processes: Array<{ server: SideBySideServer['server']; process: ApiProcess; own: boolean }> = [{ server: 'api', process: options.api, own: false }];
  try {
    for (const server of ['api-logged', 'api-traced', 'nest', 'nest-fastify', 'express', 'bare'] as const)
      processes.push({ server, process: await start(server), own: true });
    say(
      `Side by side, GET /v1/orders/:id: ${processes.map(({ server }) => server).join(', ')}; warmup ${CONFIG.warmupSec} s each, then ${options.slices} x ${options.sliceSec} s each, alternating ...`,
    );
    for (const { process } of processes)
      await drive({ url: process.baseUrl, connections: CONFIG.connections, durationSec: CONFIG.warmupSec, next: options.next });
    const parts = new Map<SideBySideServer['server'], { loads: LoadResult[]; cpuMs: number | null }>();
    for (const { server } of processes) parts.set(server, { loads: [], cpuMs: 0 });
    for (let slice = 0; slice < options.slices; slice += 1) {
      for (const { server, process } of processes) {
        const before = process.cpuMs();
        const load = await drive({ url: process.baseUrl, connections: CONFIG.connections, durationSec: options.sliceSec, next: options.next });
        const after = process.cpuMs();
        const part = parts.get(server) ?? { loads: [], cpuMs: null };
        part.loads.push(load);
        part.cpuMs = part.cpuMs === null || before === null || after === null ? null : part.cpuMs + (after - before);
      }
    }
    const servers = processes.map(({ server }): SideBySideServer => {
      const part = parts.get(server) ?? { loads: [], cpuMs: null };
      const load = combineLoads(part.loads);
      return { server, label: LABELS[server], load, cpuMsPerRequest: part.cpuMs === null || load.requests === 0 ? null : part.cpuMs / load.requests };
    });
    const cpu = (server: SideBySideServer['server']) => servers.find((entry) => entry.server === server)?.cpuMsPerRequest ?? null;
    const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
    return {
      servers,
      apiCpuToExpress: ratio(cpu('api'), cpu('express')),
      apiCpuToBare: ratio(cpu('api'), cpu('bare')),
      nestCpuToExpress: ratio(cpu('nest'), cpu('express')),
      nestFastifyCpuToExpress: ratio(cpu('nest-fastify'), cpu('express')),
      apiCpuToNestFastify: ratio(cpu('api'), cpu('nest-fastify')),
      tracingCpuRatio: ratio(cpu('api-traced'), cpu('api')),
      accessLogCpuRatio: ratio(cpu('api-logged'), cpu('api')),
      otlpExports: sink.exports(),
      otlpBytes: sink.bytes(),
    };
  } finally {
    for (const { process, own } of processes) if (own) await process.stop();
    sink.server.close();
  }
}
