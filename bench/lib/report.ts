export interface ResultRow {
  target: 'embedded' | 'citus';
  targetLabel: string;
  workload: string;
  driver: 'autocannon' | 'pgbench';
  clients: number;
  durationSec: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  errorDetail: string;
  /** API process VmRSS at the end of the phase and VmHWM (peak so far), MiB; null for pgbench. */
  rssMb: number | null;
  peakRssMb: number | null;
  /** CPU time of the API process per request during the run (user + system), ms; null for pgbench. */
  apiCpuMsPerRequest: number | null;
  /** max(sv_active + sv_idle + sv_used) over SHOW POOLS samples; null without PgBouncer. */
  serverConnections: number | null;
  /** PgBouncer total_query_count delta / requests (all pools of the database); null without PgBouncer. */
  roundTripsPerRequest: number | null;
}

export interface RoundTripRow {
  route: string;
  tenant: number;
  control: number;
  total: number;
  /** Round trips the route's shape takes. */
  expected: number;
  note: string;
}

export interface Goal {
  name: string;
  value: number | null;
  goal: string;
  pass: boolean | null;
  detail: string;
}

const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

export function resultsTable(rows: ResultRow[]): string {
  const lines = [
    '| Target | Workload | Driver | Clients | req/s | p50 ms | p95 ms | p99 ms | Errors | API RSS MB (end / peak) | API CPU ms / req | PgBouncer server conns (max) | Round trips / req (PgBouncer) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.targetLabel} | ${row.workload} | ${row.driver} | ${row.clients} | ${fixed(row.rps, 0)} | ${fixed(row.p50, 2)} | ${fixed(row.p95, 2)} | ${fixed(row.p99, 2)} | ${row.errors}${row.errorDetail ? ` (${row.errorDetail})` : ''} | ${row.rssMb === null ? 'n/a' : `${fixed(row.rssMb, 0)} / ${fixed(row.peakRssMb, 0)}`} | ${fixed(row.apiCpuMsPerRequest, 2)} | ${row.serverConnections ?? 'n/a'} | ${fixed(row.roundTripsPerRequest, 2)} |`,
    );
  }
  return lines.join('\n');
}

export function roundTripTable(target: string, rows: RoundTripRow[]): string {
  const lines = [`| Route (${target}) | Tenant pool | Control pool | Total | Goal |`, '| --- | ---: | ---: | ---: | --- |'];
  for (const row of rows) {
    const goal = `${row.expected}, ${row.note}: ${row.total <= row.expected ? 'ok' : 'EXCEEDED'}`;
    lines.push(`| ${row.route} | ${fixed(row.tenant, 2)} | ${fixed(row.control, 2)} | ${fixed(row.total, 2)} | ${goal} |`);
  }
  return lines.join('\n');
}

export function goalsTable(goals: Goal[]): string {
  const lines = ['| Goal | Value | Target | Result |', '| --- | ---: | --- | --- |'];
  for (const goal of goals) {
    const result = goal.pass === null ? `SKIPPED (${goal.detail})` : `${goal.pass ? 'PASS' : 'FAIL'}${goal.detail ? ` (${goal.detail})` : ''}`;
    lines.push(
      `| ${goal.name} | ${goal.value === null ? 'n/a' : Number.isInteger(goal.value) ? String(goal.value) : fixed(goal.value, goal.value < 10 ? 2 : 0)} | ${goal.goal} | ${result} |`,
    );
  }
  return lines.join('\n');
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart of requests per second, one bar per row, with the latencies as labels. */
export function chartSvg(rows: ResultRow[], title: string, subtitle: string[]): string {
  const width = 1100;
  const left = 330;
  const right = 330;
  const top = 70 + subtitle.length * 18;
  const barHeight = 24;
  const gap = 12;
  const height = top + rows.length * (barHeight + gap) + 40;
  const maxRps = Math.max(1, ...rows.map((row) => (Number.isFinite(row.rps) ? row.rps : 0)));
  const scale = (width - left - right) / maxRps;
  const colors: Record<string, string> = { embedded: '#6b8fd6', citus: '#e07b39' };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="32" font-size="20" font-weight="bold" fill="#222">${escapeXml(title)}</text>`,
    ...subtitle.map((line, index) => `<text x="20" y="${56 + index * 18}" font-size="13" fill="#444">${escapeXml(line)}</text>`),
  ];
  rows.forEach((row, index) => {
    const y = top + index * (barHeight + gap);
    const barWidth = Number.isFinite(row.rps) ? Math.max(1, row.rps * scale) : 0;
    const fill = row.driver === 'pgbench' ? '#9a9a9a' : colors[row.target];
    parts.push(
      `<text x="${left - 10}" y="${y + 17}" font-size="13" text-anchor="end" fill="#222">${escapeXml(chartLabel(row))}</text>`,
      `<rect x="${left}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${fill}"/>`,
      `<text x="${left + barWidth + 8}" y="${y + 17}" font-size="12" fill="#222">${escapeXml(
        `${fixed(row.rps, 0)} req/s  p50 ${fixed(row.p50, 1)} / p95 ${fixed(row.p95, 1)} / p99 ${fixed(row.p99, 1)} ms  err ${row.errors}`,
      )}</text>`,
    );
  });
  const legendY = height - 16;
  parts.push(
    `<rect x="20" y="${legendY - 11}" width="12" height="12" fill="${colors.embedded}"/><text x="38" y="${legendY}" font-size="12" fill="#333">API, embedded single node</text>`,
    `<rect x="230" y="${legendY - 11}" width="12" height="12" fill="${colors.citus}"/><text x="248" y="${legendY}" font-size="12" fill="#333">API, Citus through PgBouncer</text>`,
    `<rect x="470" y="${legendY - 11}" width="12" height="12" fill="#9a9a9a"/><text x="488" y="${legendY}" font-size="12" fill="#333">pgbench floor (same SQL as GET /v1/orders/:id)</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function chartLabel(row: ResultRow): string {
  const target = row.target === 'embedded' ? 'Embedded' : 'Citus';
  const workload =
    row.driver === 'pgbench'
      ? `pgbench floor${row.target === 'embedded' ? ' (direct)' : ''}`
      : row.workload.replace(
          /^Storm: (\d+) clients, GET [^,]*(, (DB_CONNECT_TIMEOUT_MS=\d+))?$/,
          (_all, clients, _rest, timeout) => `Storm, ${clients} clients${timeout ? `, ${Number(timeout.split('=')[1]) / 1000} s pool wait` : ''}`,
        );
  return `${target}: ${workload}`;
}

/** SVG to PNG with resvg (a prebuilt binary from the npm registry: nothing to compile, no browser). */
export async function svgToPng(svg: string): Promise<Buffer | string> {
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const rendered = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render();
    return rendered.asPng();
  } catch (error) {
    return `PNG not rendered: ${error instanceof Error ? error.message : String(error)}`;
  }
}
