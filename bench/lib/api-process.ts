import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';

export interface ProbeReading {
  /** Round trips since the last reset, per database user. */
  counts: Partial<Record<string, number>>;
  captured: Array<{ user: string; text: string; values?: unknown[] }>;
}

export interface MemoryReading {
  /** VmRSS now, in MiB. */
  rssMb: number;
  /** VmHWM: the peak resident set since the process started, in MiB. */
  peakMb: number;
}

export interface ApiProcess {
  name: string;
  baseUrl: string;
  pid: number;
  logFile: string;
  memory(): MemoryReading | null;
  /** CPU time (user + system) the process has used so far, ms; null without /proc. */
  cpuMs(): number | null;
  resetProbe(capture?: boolean): Promise<void>;
  readProbe(): Promise<ProbeReading>;
  stop(): Promise<void>;
}

export interface StartApiOptions {
  name: string;
  mainJs: string;
  /** Preloaded with -r: counts round trips (see support/round-trip-probe.cjs). */
  probe: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logFile: string;
  cwd: string;
  readyTimeoutMs?: number;
  /** Options for node itself that NODE_OPTIONS may not carry (--cpu-prof). */
  nodeArgs?: string[];
  /** Arguments for the program, after mainJs. */
  programArgs?: string[];
}

/** Starts `node -r probe main.js` and waits until GET /health/ready answers 200. */
export async function startApi(options: StartApiOptions): Promise<ApiProcess> {
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', options.probe, options.mainJs, ...(options.programArgs ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const state = { exited: false };
  void exited.then(() => (state.exited = true));

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (state.exited) throw new Error(`${options.name}: the API exited during startup:\n${tail(options.logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name}: the API was not ready in time:\n${tail(options.logFile)}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health/ready`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }

  const pid = child.pid as number;
  return {
    name: options.name,
    baseUrl,
    pid,
    logFile: options.logFile,
    memory: () => readMemory(pid),
    cpuMs: () => readCpuMs(pid),
    resetProbe: async (capture = false) => {
      await ask(child, { probe: 'reset', capture });
    },
    readProbe: async () => (await ask(child, { probe: 'read' })) as unknown as ProbeReading,
    stop: async () => {
      if (state.exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

function ask(child: ChildProcess, message: { probe: string; capture?: boolean }): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no answer from the round-trip probe to ${message.probe}`));
    }, 5_000);
    const onMessage = (reply: unknown) => {
      if (reply && typeof reply === 'object' && (reply as { probe?: string }).probe === message.probe) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(reply as Record<string, unknown>);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/** VmRSS and VmHWM from /proc (Linux); null elsewhere. */
export function readMemory(pid: number): MemoryReading | null {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return null;
  const status = readFileSync(file, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

let clockTicks: number | undefined;

/** utime + stime from /proc/<pid>/stat, in ms. */
export function readCpuMs(pid: number): number | null {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return null;
  // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
