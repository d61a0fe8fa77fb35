/** The bench's report: tables, goals with their ratios, the chart and the JSON, from one run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { chartSvg, Goal, goalsTable, ResultRow, resultsTable, roundTripTable, svgToPng } from './report';
import { loud, PRODUCTION_NODE_OPTIONS, RESULTS, say } from './setup';
import type { TargetSummary } from './target';
import type { ShapeResult } from './transaction-shapes';
import { CONFIG, LEAK_PROBE_SHARE, MIX } from './workload';

export async function report(targets: TargetSummary[], skipped: string[], elapsedSec: number, load: [number, number]): Promise<void> {
  const rows = targets.flatMap((target) => target.rows);
  const citus = targets.find((target) => target.name === 'citus');
  const find = (target: TargetSummary | undefined, predicate: (row: ResultRow) => boolean) => target?.rows.find(predicate);
  const storm = rows.find((row) => row.workload.startsWith('Storm') && !row.workload.includes('DB_CONNECT_TIMEOUT_MS'));
  const patientStorm = rows.find((row) => row.workload.startsWith('Storm') && row.workload.includes('DB_CONNECT_TIMEOUT_MS'));
  const peakRss = Math.max(...rows.map((row) => row.peakRssMb ?? 0));

  const embedded = targets.find((target) => target.name === 'embedded');
  const ratioGoal = (target: TargetSummary | undefined, label: string): Goal => {
    const get = find(target, (row) => row.workload === 'API GET /v1/orders/:id');
    const floor = find(target, (row) => row.driver === 'pgbench');
    const name = `API GET /v1/orders/:id / the same SQL from pgbench, ${label}`;
    if (!get || !floor) return { name, value: null, goal: '>= 0.8', pass: null, detail: target ? 'pgbench missing' : 'not run' };
    const value = get.rps / floor.rps;
    return { name, value, goal: '>= 0.8', pass: value >= 0.8, detail: `${get.rps.toFixed(0)} / ${floor.rps.toFixed(0)} req/s` };
  };
  const cpuGoal = (workload: string, limit: number): Goal => {
    const measured = find(embedded, (row) => row.workload === workload)?.apiCpuMsPerRequest ?? null;
    const name = `API CPU ms per request, ${workload.replace('API ', '')}, embedded node`;
    return { name, value: measured, goal: `<= ${limit}`, pass: measured === null ? null : measured <= limit, detail: '' };
  };
  const peerGoal = (target: TargetSummary | undefined, label: string): Goal => {
    const name = `API CPU per request / the express peer's, GET /v1/orders/:id, ${label}`;
    const value = target?.sideBySide?.apiCpuToExpress ?? null;
    return {
      name,
      value,
      goal: '<= 1.15',
      pass: value === null ? null : value <= 1.15,
      detail: value === null ? 'not run' : `NestJS peer / express peer ${target?.sideBySide?.nestCpuToExpress?.toFixed(2) ?? '?'}`,
    };
  };
  const functionShape = citus?.shapes?.find((shape) => shape.shape.startsWith('tenant function'));
  const leaks = targets.reduce((total, target) => ({ passed: total.passed + target.leakChecks.passed, failed: total.failed + target.leakChecks.failed }), {
    passed: 0,
    failed: 0,
  });
  const getTrips = Math.max(...targets.flatMap((target) => target.roundTrips.filter((row) => row.route === 'GET /v1/orders/:id').map((row) => row.total)));

  const goals: Goal[] = [
    ratioGoal(embedded, 'embedded node'),
    ratioGoal(citus, 'Citus via PgBouncer'),
    functionShape
      ? {
          name: 'Tenant read (tenant function) / plain router SELECT, Citus via PgBouncer',
          value: functionShape.ratio,
          goal: '>= 0.85',
          pass: functionShape.ratio >= 0.85,
          detail: `${functionShape.result.tps.toFixed(0)} / ${(functionShape.result.tps / functionShape.ratio).toFixed(0)} tps`,
        }
      : { name: 'Tenant read / plain router SELECT, Citus', value: null, goal: '>= 0.85', pass: null, detail: citus ? 'pgbench missing' : 'no Citus' },
    peerGoal(embedded, 'embedded node'),
    peerGoal(citus, 'Citus via PgBouncer'),
    cpuGoal('API GET /v1/orders/:id', 0.4),
    cpuGoal('API tenant mix', 0.6),
    { name: 'API resident memory, peak (VmHWM) over all runs, MB', value: peakRss, goal: '< 250', pass: peakRss < 250, detail: '' },
    storm
      ? {
          name: `Storm: ${CONFIG.stormConnections} clients (${storm.targetLabel}) errors`,
          value: storm.errors,
          goal: '0',
          pass: storm.errors === 0,
          detail: `${storm.requests} requests, server conns max ${storm.serverConnections ?? 'n/a'}`,
        }
      : { name: 'Storm errors', value: null, goal: '0', pass: null, detail: 'not run' },
    ...(patientStorm
      ? [
          {
            name: `Storm: ${CONFIG.stormConnections} clients, DB_CONNECT_TIMEOUT_MS=${CONFIG.patientTimeoutMs}, errors`,
            value: patientStorm.errors,
            goal: '0',
            pass: patientStorm.errors === 0,
            detail: `${patientStorm.requests} requests, p99 ${patientStorm.p99.toFixed(0)} ms`,
          },
        ]
      : []),
    {
      name: 'Leak checks failed (answers checked against the tenant that asked)',
      value: leaks.failed,
      goal: '0',
      pass: leaks.failed === 0 && leaks.passed > 0,
      detail: `${leaks.passed} passed${leaks.failed ? `; first: ${targets.flatMap((target) => target.leakChecks.failures)[0]}` : ''}`,
    },
    { name: 'Round trips of GET /v1/orders/:id', value: getTrips, goal: '1', pass: getTrips === 1, detail: '' },
  ];

  const mixLine = MIX.map((entry) => `${entry.route} ${entry.weight}%`).join(', ');
  const settings = [
    `Command: \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; whole run ${elapsedSec} s; load average ${load[0].toFixed(1)} at the start, ${load[1].toFixed(1)} at the end)`,
    `Load: autocannon, ${CONFIG.connections} connections, pipelining 1, ${CONFIG.durationSec} s per run after a ${CONFIG.warmupSec} s warmup; ${CONFIG.tenants} tenants, requests spread at random over tenants and their seeded orders.`,
    `Tenant mix: ${mixLine}.`,
    `API: one Node process (NODE_OPTIONS=${JSON.stringify(process.env.BENCH_NODE_OPTIONS ?? PRODUCTION_NODE_OPTIONS)}), LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false, DB_POOL_SIZE=${CONFIG.dbPoolSize}; Citus: a coordinator and ${targets.find((target) => target.workers !== undefined)?.workers ?? '?'} workers behind PgBouncer (transaction mode, default_pool_size 20).`,
    `GET /v1/orders/:id and the floor alternate in ${CONFIG.slices} slices of ${Math.round(CONFIG.durationSec / CONFIG.slices)} s each (same total time), so both see the same machine.`,
    `Floor: pgbench, ${CONFIG.connections} clients, ${CONFIG.pgbenchThreads} threads, the statements captured from the API for GET /v1/orders/:id (protocol ${targets.map((target) => target.floorProtocol ?? 'n/a').join(' / ')}), tenant and order id drawn at random from the seeded data, as app_tenant. Leak probes: ${LEAK_PROBE_SHARE * 100}% of GET /v1/orders/:id requests ask for another tenant's order and must be 404; every other GET must return the order asked for.`,
    'Errors = non-2xx responses + socket errors (timeouts included); pgbench: failed transactions + aborted clients. RSS = VmRSS of the API process at the end of the run / VmHWM (peak). API CPU = user + system CPU time of the API process during the run / requests. PgBouncer server conns = max of sv_active+sv_idle+sv_used (app_tenant + app_control) sampled every 250 ms; round trips / req = PgBouncer total_query_count delta / requests (both count every client of the database, so they are only clean when nothing else uses the cluster).',
  ];
  const markdown = [
    '## Benchmark',
    '',
    ...settings.map((line) => `- ${line}`),
    ...(skipped.length ? ['', ...skipped.map((line) => `- **SKIPPED:** ${line}`)] : []),
    '',
    resultsTable(rows),
    '',
    '### Goals (ratios from this one run)',
    '',
    goalsTable(goals),
    '',
    ...(citus?.shapes
      ? ['### Tenant read shapes on Citus (pgbench through PgBouncer, same clients, alternating slices)', '', shapesTable(citus.shapes), '']
      : []),
    '### Database round trips per request',
    '',
    'Counted in the API process (every pg `Client#query` is one round trip), steady state with the api key cached; a key not seen within API_KEY_CACHE_TTL_MS (5 s) adds one round trip on the control pool.',
    '',
    ...targets.flatMap((target) => [roundTripTable(target.label, target.roundTrips), '']),
  ].join('\n');

  mkdirSync(RESULTS, { recursive: true });
  const title = 'Orders API: requests per second, side by side from one run';
  const subtitle = goals.map(
    (goal) =>
      `${goal.name}: ${goal.value === null ? 'n/a' : Number.isInteger(goal.value) ? goal.value : goal.value.toFixed(goal.value < 10 ? 2 : 0)} (goal ${goal.goal}) ${goal.pass === null ? 'SKIPPED' : goal.pass ? 'PASS' : 'FAIL'}`,
  );
  const svg = chartSvg(rows, title, [...subtitle, `${CONFIG.connections} connections, ${CONFIG.durationSec} s per run, ${CONFIG.tenants} tenants; ${mixLine}`]);
  writeFileSync(join(RESULTS, 'bench.svg'), svg);
  const png = await svgToPng(svg);
  if (typeof png === 'string') {
    loud(`SKIPPED: bench.png -- ${png}`);
    skipped.push(`bench.png: ${png}`);
  } else {
    writeFileSync(join(RESULTS, 'bench.png'), png);
  }
  writeFileSync(join(RESULTS, 'README-table.md'), `${markdown}\n`);
  writeFileSync(
    join(RESULTS, 'bench.json'),
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npm run bench',
        machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
        config: { ...CONFIG, adminToken: undefined, mix: MIX },
        skipped,
        rows,
        goals,
        roundTrips: Object.fromEntries(targets.map((target) => [target.name, target.roundTrips])),
        mixByRoute: Object.fromEntries(targets.map((target) => [target.name, target.mixByRoute])),
        floor: Object.fromEntries(targets.map((target) => [target.name, { pgbench: target.pgbenchCommand, statements: target.capturedGetSql }])),
        shapes: citus?.shapes?.map(({ result, ...shape }) => ({ ...shape, tps: result.tps, errors: result.errors })),
        sideBySide: Object.fromEntries(
          targets.map((target) => [
            target.name,
            target.sideBySide && {
              ...target.sideBySide,
              servers: target.sideBySide.servers.map(({ load, ...server }) => ({
                ...server,
                rps: load.rps,
                p50: load.latencyMs.p50,
                p99: load.latencyMs.p99,
                requests: load.requests,
                errors: load.errors,
              })),
            },
          ]),
        ),
        leakChecks: Object.fromEntries(targets.map((target) => [target.name, target.leakChecks])),
        elapsedSec,
        loadAverage: { start: load[0], end: load[1] },
      },
      null,
      2,
    )}\n`,
  );

  say(`\n${markdown}`);
  say(`Written: bench/results/bench.json, bench/results/README-table.md, bench/results/bench.svg${typeof png === 'string' ? '' : ', bench/results/bench.png'}`);
  if (skipped.length) loud(`SKIPPED: ${skipped.join('; ')}`);
}

function shapesTable(shapes: ShapeResult[]): string {
  return [
    '| Shape | Round trips | Protocol | tps | Errors | / plain SELECT |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...shapes.map(
      (shape) =>
        `| ${shape.shape} | ${shape.roundTrips} | ${shape.protocol} | ${shape.result.tps.toFixed(0)} | ${shape.result.errors} | ${shape.ratio.toFixed(2)} |`,
    ),
  ].join('\n');
}
