'use strict';
// The ops page: reads the admin API with the token typed in, kept in sessionStorage for this tab.
const TOKEN_KEY = 'adminToken';
const REFRESH_MS = 5000;
const $ = (selector) => document.querySelector(selector);
let refreshTimer;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(payload?.message ?? response.statusText), { status: response.status });
  return payload;
}

const bytes = (value) => {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let size = Number(value);
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${size.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

function fill(tableSelector, rows, cells) {
  const body = $(`${tableSelector} tbody`);
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement('tr');
      for (const value of cells(row)) {
        const td = document.createElement('td');
        td.textContent = value === null || value === undefined ? '—' : String(value);
        tr.append(td);
      }
      return tr;
    }),
  );
  return body;
}

// Charts are SVG drawn here: no library to load, nothing outside the page's content security policy.
const SVG_NS = 'http://www.w3.org/2000/svg';
const HOT_SAMPLES = 60;
const HOT_SERIES = 5;

function svg(name, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Horizontal bars, one row per item: label, bar scaled to the largest value, value text. */
function drawBars(chart, items) {
  const rowHeight = 22;
  const labelWidth = 170;
  const barWidth = 420;
  const height = Math.max(1, items.length) * rowHeight + 4;
  chart.setAttribute('viewBox', `0 0 ${labelWidth + barWidth + 110} ${height}`);
  const largest = Math.max(1, ...items.map((item) => item.value));
  chart.replaceChildren(
    ...items.flatMap((item, index) => {
      const y = index * rowHeight + 2;
      const width = Math.max(1, (item.value / largest) * barWidth);
      const bar = svg('rect', { class: 'bar', x: labelWidth, y, width, height: rowHeight - 6, 'data-value': item.value });
      bar.append(svg('title', {}, `${item.label}: ${item.text}`));
      return [svg('text', { x: 0, y: y + rowHeight - 10 }, item.label), bar, svg('text', { x: labelWidth + width + 6, y: y + rowHeight - 10 }, item.text)];
    }),
  );
}

/** Vertical bars in time order (the tenant's days), with the first and last day under them. */
function drawColumns(chart, items) {
  const width = 640;
  const height = 140;
  const plot = height - 20;
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const largest = Math.max(1, ...items.map((item) => item.value));
  const step = width / Math.max(1, items.length);
  const columns = items.map((item, index) => {
    const barHeight = (item.value / largest) * (plot - 14);
    const column = svg('rect', {
      class: 'bar',
      x: index * step + 1,
      y: plot - barHeight,
      width: Math.max(1, step - 2),
      height: barHeight,
      'data-value': item.value,
    });
    column.append(svg('title', {}, `${item.label}: ${item.value}`));
    return column;
  });
  chart.replaceChildren(
    svg('line', { class: 'axis', x1: 0, y1: plot, x2: width, y2: plot }),
    svg('text', { x: 0, y: 10 }, `max ${largest}`),
    ...columns,
    svg('text', { x: 0, y: height - 4 }, items[0]?.label ?? ''),
    svg('text', { x: width, y: height - 4, 'text-anchor': 'end' }, items[items.length - 1]?.label ?? ''),
  );
}

/** One line per series over the samples kept while the page is open. */
function drawLines(chart, series, samples) {
  const width = 640;
  const height = 160;
  const plot = height - 20;
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const largest = Math.max(1, ...series.flatMap((line) => line.values.filter((value) => value !== null)));
  const x = (index) => (samples <= 1 ? 0 : (index / (samples - 1)) * (width - 160));
  const y = (value) => plot - (value / largest) * (plot - 14);
  chart.replaceChildren(
    svg('line', { class: 'axis', x1: 0, y1: plot, x2: width - 160, y2: plot }),
    svg('text', { x: 0, y: 10 }, `max ${largest}`),
    svg('text', { x: 0, y: height - 4 }, `last ${Math.round((samples * REFRESH_MS) / 1000)} s`),
    ...series.flatMap((line, index) => {
      const points = line.values.map((value, sample) => (value === null ? null : `${x(sample).toFixed(1)},${y(value).toFixed(1)}`)).filter(Boolean);
      const path = svg('polyline', { class: `series series-${index}`, points: points.join(' '), 'data-tenant': line.label });
      path.append(svg('title', {}, line.label));
      return [path, svg('text', { x: width - 150, y: 14 + index * 16, class: `legend series-${index}` }, `${line.label.slice(0, 8)}…`)];
    }),
  );
}

function drawProgress(chart, done, total, text) {
  chart.setAttribute('viewBox', '0 0 640 30');
  const width = total === 0 ? 0 : (done / total) * 500;
  chart.replaceChildren(
    svg('rect', { class: 'track', x: 0, y: 4, width: 500, height: 18 }),
    svg('rect', { class: 'done', x: 0, y: 4, width, height: 18, 'data-done': done, 'data-total': total }),
    svg('text', { x: 510, y: 18 }, text),
  );
}

/** The hot tenants' queries, one sample per refresh, kept only in this page. */
const hotHistory = { samples: [] };
function recordHot(rows) {
  hotHistory.samples.push(new Map(rows.map((row) => [row.tenantId, row.queriesThisPeriod])));
  if (hotHistory.samples.length > HOT_SAMPLES) hotHistory.samples.shift();
  const latest = hotHistory.samples[hotHistory.samples.length - 1];
  const tenants = [...latest.keys()].slice(0, HOT_SERIES);
  drawLines(
    $('#hot-chart'),
    tenants.map((tenantId) => ({ label: tenantId, values: hotHistory.samples.map((sample) => sample.get(tenantId) ?? null) })),
    hotHistory.samples.length,
  );
}

let cluster;
async function loadCluster() {
  cluster = await api('GET', '/admin/cluster');
  const citus = cluster.mode === 'citus';
  const workers = cluster.nodes.filter((node) => node.role === 'worker');
  $('#mode').textContent = citus ? `Citus cluster: a coordinator and ${workers.length} worker(s)` : 'Single node (no Citus)';
  for (const section of document.querySelectorAll('.citus-only')) section.hidden = !citus;
  $('#single-node').hidden = citus;
  fill('#nodes', cluster.nodes, (node) => [`${node.nodeName}:${node.nodePort}`, node.role, node.isActive ? 'yes' : 'no', node.shardCount, bytes(node.bytes)]);
  drawBars(
    $('#node-chart'),
    cluster.nodes.map((node) => ({
      label: `${node.nodeName}:${node.nodePort}`,
      value: Number(node.bytes),
      text: `${bytes(node.bytes)}, ${node.shardCount} shards`,
    })),
  );
  fill('#tables', cluster.tables, (table) => [table.name, table.type, table.distributionColumn, table.colocationId, table.shardCount]);
  const select = $('#isolate-node');
  select.replaceChildren(select.options[0], ...workers.map((node) => new Option(`${node.nodeName}:${node.nodePort}`, `${node.nodeName}:${node.nodePort}`)));
  return citus;
}

// Twenty at a time by cursor, however many tenants there are: the page never loads them all.
const tenantPages = { cursors: [undefined], index: 0 };
async function loadTenants() {
  const cursor = tenantPages.cursors[tenantPages.index];
  const page = await api('GET', `/admin/tenants?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  fill('#tenants', page.data, (tenant) => [tenant.name, tenant.plan, tenant.status, tenant.id]);
  tenantPages.cursors[tenantPages.index + 1] = page.nextCursor ?? undefined;
  $('#tenants-older').disabled = !page.nextCursor;
  $('#tenants-newer').disabled = tenantPages.index === 0;
}

async function loadUsage(id) {
  const usage = await api('GET', `/admin/tenants/${encodeURIComponent(id)}/usage`);
  $('#usage-figure').hidden = false;
  drawColumns(
    $('#usage-chart'),
    usage.data.map((day) => ({ label: day.day, value: day.requests.total })),
  );
}

async function loadShardMap() {
  const groups = await api('GET', '/admin/cluster/shard-groups');
  fill('#shard-map', groups.data, (group) => [
    group.shardId,
    `${group.minValue} … ${group.maxValue}`,
    `${group.nodeName}:${group.nodePort}`,
    bytes(group.bytes),
    group.isolated ? 'yes' : '',
  ]);
  return groups.data;
}

async function refreshLive() {
  const [hot, rebalance] = await Promise.all([api('GET', '/admin/tenants/hot?limit=10'), api('GET', '/admin/cluster/rebalance')]);
  fill('#hot', hot.data, (row) => [row.tenantId, row.queriesThisPeriod, row.queriesLastPeriod, row.cpuSecondsThisPeriod.toFixed(3)]);
  recordHot(hot.data);
  const status = rebalance.status;
  const counts = status?.details?.task_state_counts;
  const total = counts ? Object.values(counts).reduce((sum, count) => sum + count, 0) : 0;
  const done = counts?.done ?? 0;
  drawProgress($('#rebalance-chart'), done, total, status ? `${done} of ${total} moves done` : 'no rebalance');
  $('#rebalance-status').textContent = status
    ? `Job ${status.jobId}: ${status.state}${
        counts
          ? ` (${Object.entries(counts)
              .map(([state, count]) => `${count} ${state}`)
              .join(', ')})`
          : ''
      }`
    : 'No rebalance has run';
}

async function findTenant(id) {
  const tenant = await api('GET', `/admin/tenants/${encodeURIComponent(id)}`);
  await loadUsage(id);
  for (const row of document.querySelectorAll('#shard-map tr.highlight')) row.classList.remove('highlight');
  if (!tenant.placement) {
    $('#found').textContent = `${tenant.name} (${tenant.plan}, ${tenant.status}): single node, every row is on this server`;
    return;
  }
  const { shardId, nodeName, nodePort } = tenant.placement;
  $('#found').textContent = `${tenant.name} (${tenant.plan}, ${tenant.status}) lives in shard ${shardId} on worker ${nodeName}:${nodePort}`;
  const row = [...document.querySelectorAll('#shard-map tbody tr')].find((tr) => tr.firstChild.textContent === String(shardId));
  if (row) {
    row.classList.add('highlight');
    row.setAttribute('aria-current', 'true');
  }
}

async function connect() {
  $('#sign-in-error').textContent = '';
  try {
    const citus = await loadCluster();
    await loadTenants();
    if (citus) {
      await loadShardMap();
      await refreshLive();
      clearInterval(refreshTimer);
      refreshTimer = setInterval(() => refreshLive().catch(() => undefined), REFRESH_MS);
    }
    $('#dashboard').hidden = false;
    $('#sign-out').hidden = false;
  } catch (error) {
    $('#dashboard').hidden = true;
    $('#sign-in-error').textContent =
      error.status === 401 || error.status === 403 ? `The token was refused (${error.status}): ${error.message}` : `The API did not answer: ${error.message}`;
    $('#mode').textContent = 'Not connected';
  }
}

$('#sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('#token').value);
  $('#token').value = '';
  connect();
});
$('#sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(refreshTimer);
  $('#dashboard').hidden = true;
  $('#sign-out').hidden = true;
  $('#mode').textContent = 'Not connected';
});
$('#find').addEventListener('submit', (event) => {
  event.preventDefault();
  findTenant($('#find-tenant').value.trim()).catch((error) => ($('#found').textContent = `Not found: ${error.message}`));
});
$('#tenants').addEventListener('click', (event) => {
  const id = event.target.closest('tr')?.lastChild?.textContent;
  if (id && event.target.closest('tbody')) {
    $('#find-tenant').value = id;
    findTenant(id).catch((error) => ($('#found').textContent = `Not found: ${error.message}`));
  }
});
$('#tenants-older').addEventListener('click', () => {
  tenantPages.index += 1;
  loadTenants().catch(() => (tenantPages.index -= 1));
});
$('#tenants-newer').addEventListener('click', () => {
  tenantPages.index = Math.max(0, tenantPages.index - 1);
  loadTenants().catch(() => undefined);
});
$('#rebalance-start').addEventListener('click', () => {
  api('POST', '/admin/cluster/rebalance')
    .then(refreshLive)
    .catch((error) => ($('#rebalance-status').textContent = `Not started: ${error.message}`));
});
$('#isolate').addEventListener('submit', (event) => {
  event.preventDefault();
  const [nodeName, nodePort] = $('#isolate-node').value.split(':');
  const body = nodeName ? { nodeName, nodePort: Number(nodePort) } : {};
  $('#isolated').textContent = 'Isolating… (splits the shard group and moves it; this can take a while)';
  api('POST', `/admin/tenants/${encodeURIComponent($('#isolate-tenant').value.trim())}/isolate`, body)
    .then((placement) => {
      $('#isolated').textContent =
        `Isolated in shard ${placement.shardId} on ${placement.nodeName}:${placement.nodePort}${placement.pinned ? ', pinned there' : ''}`;
      return Promise.all([loadCluster(), loadShardMap()]);
    })
    .catch((error) => ($('#isolated').textContent = `Not isolated: ${error.message}`));
});

if (sessionStorage.getItem(TOKEN_KEY)) connect();
