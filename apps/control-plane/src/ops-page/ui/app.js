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

let cluster;
async function loadCluster() {
  cluster = await api('GET', '/admin/cluster');
  const citus = cluster.mode === 'citus';
  const workers = cluster.nodes.filter((node) => node.role === 'worker');
  $('#mode').textContent = citus ? `Citus cluster: a coordinator and ${workers.length} worker(s)` : 'Single node (no Citus)';
  for (const section of document.querySelectorAll('.citus-only')) section.hidden = !citus;
  $('#single-node').hidden = citus;
  fill('#nodes', cluster.nodes, (node) => [`${node.nodeName}:${node.nodePort}`, node.role, node.isActive ? 'yes' : 'no', node.shardCount, bytes(node.bytes)]);
  fill('#tables', cluster.tables, (table) => [table.name, table.type, table.distributionColumn, table.colocationId, table.shardCount]);
  const select = $('#isolate-node');
  select.replaceChildren(select.options[0], ...workers.map((node) => new Option(`${node.nodeName}:${node.nodePort}`, `${node.nodeName}:${node.nodePort}`)));
  return citus;
}

async function loadTenants() {
  const page = await api('GET', '/admin/tenants?limit=20');
  fill('#tenants', page.data, (tenant) => [tenant.name, tenant.plan, tenant.status, tenant.id]);
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
  const status = rebalance.status;
  const counts = status?.details?.task_state_counts;
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
