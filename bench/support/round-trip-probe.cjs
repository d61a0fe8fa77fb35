'use strict';
/*
 * Preloaded with `node -r` into the API processes that `npm run bench` starts, never by the
 * app itself. It counts database round trips: every call of pg's Client#query is one (a
 * simple-protocol query, multi-statement or not, or one Parse/Bind/Execute/Sync cycle of the
 * extended protocol). Counts are kept per database user, so the tenant pool (app_tenant) and
 * the control pool (app_control) are told apart. The bench asks over the IPC channel:
 *   { probe: 'reset', capture?: boolean }  -> zero the counters (and record the SQL if capture)
 *   { probe: 'read' }                      -> { counts: {user: n}, captured: [{user, text, values}] }
 * The cost in the process is one counter increment per query.
 */
const { Client } = require('pg');

const originalQuery = Client.prototype.query;
let counts = {};
let captured = [];
let capturing = false;

Client.prototype.query = function probedQuery(config, values) {
  const user = (this.connectionParameters && this.connectionParameters.user) || 'unknown';
  counts[user] = (counts[user] || 0) + 1;
  if (capturing) {
    const text = typeof config === 'string' ? config : config && config.text;
    const parameters = Array.isArray(values) ? values : config && config.values;
    captured.push({ user, text, values: parameters ? parameters.map((value) => (Buffer.isBuffer(value) ? '<bytea>' : value)) : undefined });
  }
  return originalQuery.apply(this, arguments);
};

if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (!message || typeof message !== 'object') return;
    if (message.probe === 'reset') {
      counts = {};
      captured = [];
      capturing = Boolean(message.capture);
      process.send({ probe: 'reset' });
    } else if (message.probe === 'read') {
      process.send({ probe: 'read', counts, captured });
    }
  });
  // The IPC channel must not keep the process alive on its own at shutdown.
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}
