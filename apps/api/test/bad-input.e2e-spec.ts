import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, createOrder, createTenant, orderBody, tenantRowCounts, TEST_ADMIN_TOKEN, TestTenant, withOwner } from '@app/testing';
import { expectError } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

const item = { sku: 'SKU-1', quantity: 1, unitPriceCents: 100 };
const withItem = (overrides: Record<string, unknown>) => ({ countryCode: 'US', items: [{ ...item, ...overrides }] });
const withoutItemField = (field: string) => {
  const { [field]: _omitted, ...copy } = item as Record<string, unknown>;
  return { countryCode: 'US', items: [copy] };
};
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

interface BadRequest {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** `:order` is replaced by an order of the tenant; `:tenant` by the tenant's id. */
  path: string;
  /** An object is sent as JSON; a string is sent raw as application/json. */
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
  status: number;
  /** The field named in `details`; null for a 4xx without details. */
  field: string | null;
}

const order = (body: unknown, field: string | null, status = 400): BadRequest => ({ method: 'post', path: '/v1/orders', body, status, field });
const payment = (body: unknown, field: string | null): BadRequest => ({ method: 'post', path: '/v1/orders/:order/payments', body, status: 400, field });
const list = (query: string, field: string): BadRequest => ({ method: 'get', path: `/v1/orders?${query}`, status: 400, field });

/** Cursor of another kind or a doctored one: base64url JSON the way the API makes them. */
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const TENANT_API_CASES: Array<[string, BadRequest]> = [
  // Body syntax
  ['malformed JSON', order('{"countryCode": "US", "items": [', null)],
  ['a JSON array as the body', order('[{"countryCode":"US","items":[]}]', null)],
  ['a JSON string as the body', order('"US"', null)],
  ['JSON null as the body', order('null', null)],
  ['an empty JSON body', order('', 'countryCode')],
  ['a body that is not JSON (text/plain)', { method: 'post', path: '/v1/orders', body: 'countryCode=US', contentType: 'text/plain', status: 415, field: null }],
  [
    'a gzip body that does not decompress',
    { method: 'post', path: '/v1/orders', body: JSON.stringify(orderBody()), headers: { 'Content-Encoding': 'gzip' }, status: 400, field: null },
  ],
  [
    'a body in an encoding the server does not read',
    { method: 'post', path: '/v1/orders', body: JSON.stringify(orderBody()), headers: { 'Content-Encoding': 'compress' }, status: 415, field: null },
  ],
  [
    'a JSON body in a charset other than UTF-8',
    { method: 'post', path: '/v1/orders', body: JSON.stringify(orderBody()), contentType: 'application/json; charset=iso-8859-1', status: 415, field: null },
  ],
  [
    'a body nested 10000 levels deep',
    order(
      `{"countryCode":"US","items":${deepArray(10000)}}`,
      'items[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]',
    ),
  ],
  // Unknown fields
  ['an unknown top-level field', order({ ...orderBody(), discountCents: 100 }, 'discountCents')],
  ['an unknown field inside an item', order(withItem({ color: 'red' }), 'items[0].color')],
  ['a __proto__ field', order(`{"countryCode":"US","items":[{"sku":"A","quantity":1,"unitPriceCents":1}],"__proto__":{"admin":true}}`, '__proto__')],
  [
    'a constructor field inside an item',
    order(`{"countryCode":"US","items":[{"sku":"A","quantity":1,"unitPriceCents":1,"constructor":{}}]}`, 'items[0].constructor'),
  ],
  ['a client-chosen totalCents', order({ ...orderBody(), totalCents: 1 }, 'totalCents')],
  ['a client-chosen status', order({ ...orderBody(), status: 'paid' }, 'status')],
  // Wrong types
  ['a string quantity', order(withItem({ quantity: '2' }), 'items[0].quantity')],
  ['a float quantity', order(withItem({ quantity: 1.5 }), 'items[0].quantity')],
  ['a boolean unitPriceCents', order(withItem({ unitPriceCents: true }), 'items[0].unitPriceCents')],
  ['a numeric sku', order(withItem({ sku: 123 }), 'items[0].sku')],
  ['null items', order({ countryCode: 'US', items: null }, 'items')],
  ['items as an object', order({ countryCode: 'US', items: { 0: item } }, 'items')],
  ['an item that is a number', order({ countryCode: 'US', items: [1] }, 'items[0]')],
  ['an item that is null', order({ countryCode: 'US', items: [null] }, 'items[0]')],
  ['a numeric countryCode', order({ ...orderBody(), countryCode: 840 }, 'countryCode')],
  ['a numeric note', order({ ...orderBody(), note: 42 }, 'note')],
  // Missing fields
  ['no countryCode', order({ items: [item] }, 'countryCode')],
  ['no items', order({ countryCode: 'US' }, 'items')],
  ['an item without quantity', order(withoutItemField('quantity'), 'items[0].quantity')],
  ['an item without sku', order(withoutItemField('sku'), 'items[0].sku')],
  // Out of range
  ['quantity 0', order(withItem({ quantity: 0 }), 'items[0].quantity')],
  ['quantity 10001', order(withItem({ quantity: 10001 }), 'items[0].quantity')],
  ['unitPriceCents -1', order(withItem({ unitPriceCents: -1 }), 'items[0].unitPriceCents')],
  ['unitPriceCents 100000001', order(withItem({ unitPriceCents: 100_000_001 }), 'items[0].unitPriceCents')],
  ['unitPriceCents 1e300', order('{"countryCode":"US","items":[{"sku":"A","quantity":1,"unitPriceCents":1e300}]}', 'items[0].unitPriceCents')],
  ['0 items', order({ countryCode: 'US', items: [] }, 'items')],
  ['101 items', order({ countryCode: 'US', items: Array.from({ length: 101 }, () => item) }, 'items')],
  ['an empty sku', order(withItem({ sku: '' }), 'items[0].sku')],
  ['a sku of 65 characters', order(withItem({ sku: 's'.repeat(65) }), 'items[0].sku')],
  ['a note of 1001 characters', order({ ...orderBody(), note: 'n'.repeat(1001) }, 'note')],
  ['the second item invalid', order({ countryCode: 'US', items: [item, { ...item, quantity: -3 }] }, 'items[1].quantity')],
  ["countryCode 'us'", order({ ...orderBody(), countryCode: 'us' }, 'countryCode')],
  ["countryCode 'XX' (not a known country)", order({ ...orderBody(), countryCode: 'XX' }, 'countryCode')],
  ["countryCode 'USA'", order({ ...orderBody(), countryCode: 'USA' }, 'countryCode')],
  ["currency 'usd'", order({ ...orderBody(), currency: 'usd' }, 'currency')],
  ["currency 'US'", order({ ...orderBody(), currency: 'US' }, 'currency')],
  ["currency 'ZZZ' (three letters, not ISO 4217)", order({ ...orderBody(), currency: 'ZZZ' }, 'currency')],
  ['a NUL character in the note', order({ ...orderBody(), note: 'before\u0000after' }, 'note')],
  ['a NUL character in a sku', order({ countryCode: 'US', items: [{ ...item, sku: 'SKU\u0000' }] }, 'items[0].sku')],
  ['an empty array as an item', order({ countryCode: 'US', items: [[]] }, 'items')],
  ['a valid item wrapped in an array', order({ countryCode: 'US', items: [[item]] }, 'items')],
  // Body size
  ['a body over 1 MiB', order({ ...orderBody(), note: 'n'.repeat(1024 * 1024 + 1) }, null, 413)],
  // Idempotency-Key
  [
    'an Idempotency-Key of 201 characters',
    { method: 'post', path: '/v1/orders', body: orderBody(), headers: { 'Idempotency-Key': 'k'.repeat(201) }, status: 400, field: 'Idempotency-Key' },
  ],
  [
    'an empty Idempotency-Key',
    { method: 'post', path: '/v1/orders', body: orderBody(), headers: { 'Idempotency-Key': '' }, status: 400, field: 'Idempotency-Key' },
  ],
  [
    'a non-ASCII Idempotency-Key',
    { method: 'post', path: '/v1/orders', body: orderBody(), headers: { 'Idempotency-Key': 'caf\u00e9' }, status: 400, field: 'Idempotency-Key' },
  ],
  [
    'an Idempotency-Key of 201 characters on a payment',
    {
      method: 'post',
      path: '/v1/orders/:order/payments',
      body: { amountCents: 1, method: 'card' },
      headers: { 'Idempotency-Key': 'k'.repeat(201) },
      status: 400,
      field: 'Idempotency-Key',
    },
  ],
  // Ids in paths
  ...['abc', '1.5', '1.0', '-1', '+1', '0', '01', '1e3', '0x10', '99999999999999999999', '9007199254740993'].flatMap((id): Array<[string, BadRequest]> => [
    [`GET /v1/orders/${id}`, { method: 'get', path: `/v1/orders/${id}`, status: 400, field: 'id' }],
    [`POST /v1/orders/${id}/cancel`, { method: 'post', path: `/v1/orders/${id}/cancel`, status: 400, field: 'id' }],
    [
      `POST /v1/orders/${id}/payments`,
      { method: 'post', path: `/v1/orders/${id}/payments`, body: { amountCents: 1, method: 'card' }, status: 400, field: 'id' },
    ],
    [`GET /v1/orders/${id}/payments`, { method: 'get', path: `/v1/orders/${id}/payments`, status: 400, field: 'id' }],
  ]),
  ['a path with broken percent-encoding', { method: 'get', path: '/v1/orders/%ZZ', status: 400, field: null }],
  ['a path parameter of 3000 characters', { method: 'get', path: `/v1/orders/${'1'.repeat(3000)}`, status: 414, field: null }],
  // Pagination
  ['limit=0', list('limit=0', 'limit')],
  ['limit=101', list('limit=101', 'limit')],
  ["limit='x'", list('limit=x', 'limit')],
  ['limit=1.5', list('limit=1.5', 'limit')],
  ['limit=-1', list('limit=-1', 'limit')],
  ['an empty limit', list('limit=', 'limit')],
  ['limit given twice', list('limit=1&limit=2', 'limit')],
  ["status 'shipped'", list('status=shipped', 'status')],
  ['a garbage cursor', list('cursor=not%20a%20cursor!!', 'cursor')],
  ['a cursor that is base64 of garbage', list(`cursor=${Buffer.from('garbage').toString('base64url')}`, 'cursor')],
  ['a tenant-list cursor on the order list', list(`cursor=${cursorOf({ k: 'tenant', createdAt: '2026-01-01T00:00:00.000000Z', id: randomUUID() })}`, 'cursor')],
  ['a cursor with a fractional id', list(`cursor=${cursorOf({ k: 'order', id: 1.5 })}`, 'cursor')],
  ['a cursor with an id as a string', list(`cursor=${cursorOf({ k: 'order', id: '5' })}`, 'cursor')],
  ['a cursor with an extra field', list(`cursor=${cursorOf({ k: 'order', id: 5, tenantId: randomUUID() })}`, 'cursor')],
  ['a cursor over 512 characters', list(`cursor=${'a'.repeat(513)}`, 'cursor')],
  ['an unknown query parameter', list('sort=asc', 'sort')],
  // Payments
  ['amountCents 0', payment({ amountCents: 0, method: 'card' }, 'amountCents')],
  ['amountCents -5', payment({ amountCents: -5, method: 'card' }, 'amountCents')],
  ['amountCents 1.5', payment({ amountCents: 1.5, method: 'card' }, 'amountCents')],
  ["amountCents '10'", payment({ amountCents: '10', method: 'card' }, 'amountCents')],
  ['amountCents null', payment({ amountCents: null, method: 'card' }, 'amountCents')],
  ['amountCents above 2^53', payment('{"amountCents": 1e300, "method": "card"}', 'amountCents')],
  ['no amountCents', payment({ method: 'card' }, 'amountCents')],
  ["method 'cash'", payment({ amountCents: 1, method: 'cash' }, 'method')],
  ["method 'CARD'", payment({ amountCents: 1, method: 'CARD' }, 'method')],
  ['no method', payment({ amountCents: 1 }, 'method')],
  ['an extra field on a payment', payment({ amountCents: 1, method: 'card', currency: 'USD' }, 'currency')],
  ['a client-chosen payment status', payment({ amountCents: 1, method: 'card', status: 'captured' }, 'status')],
  ['a payment body that is an array', payment('[{"amountCents": 1, "method": "card"}]', null)],
  ['a malformed payment body', payment('{"amountCents": ', null)],
];

describe('Bad input on the tenant API: always a 4xx in the error shape, never a 500, nothing written', () => {
  let api: TestApi;
  let tenant: TestTenant;
  let orderId: number;
  let orderBefore: Record<string, unknown>;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
    const created = await createOrder(api.server, tenant, { items: [{ sku: 'SKU-A', quantity: 1, unitPriceCents: 10_000 }] });
    orderId = created.id;
    await request(api.server).post(`/v1/orders/${orderId}/payments`).set(bearer(tenant.apiKey)).send({ amountCents: 100, method: 'card' }).expect(201);
    orderBefore = (await request(api.server).get(`/v1/orders/${orderId}`).set(bearer(tenant.apiKey)).expect(200)).body;
  });
  afterAll(() => api.close());

  it('has at least 30 distinct cases', () => {
    expect(new Set(TENANT_API_CASES.map(([name]) => name)).size).toBe(TENANT_API_CASES.length);
    expect(TENANT_API_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(TENANT_API_CASES)('refuses %s', async (_name, bad) => {
    const before = await tenantRowCounts(api.ownerUrl, tenant.id);
    const agent = request(api.server);
    const call = agent[bad.method](bad.path.replace(':order', String(orderId))).set(bearer(tenant.apiKey));
    for (const [header, value] of Object.entries(bad.headers ?? {})) call.set(header, value);
    if (typeof bad.body === 'string') call.set('Content-Type', bad.contentType ?? 'application/json');
    const response = bad.body === undefined ? await call : await call.send(bad.body as object);

    expectError(response, bad.status, bad.field === null ? { withDetails: false } : { field: bad.field });
    expect(await tenantRowCounts(api.ownerUrl, tenant.id)).toEqual(before);
    const after = await request(api.server).get(`/v1/orders/${orderId}`).set(bearer(tenant.apiKey)).expect(200);
    expect(after.body).toEqual(orderBefore);
  });
});

describe('Bad input on the admin API: always a 4xx in the error shape, never a 500, nothing written', () => {
  let api: TestApi;
  let probe: TestTenant;
  let probeBefore: Record<string, unknown>;
  const marker = `bad-input-${randomUUID()}`;

  beforeAll(async () => {
    api = await startTestApi();
    probe = await createTenant(api.admin, 'pro');
    probeBefore = (await request(api.admin).get(`/admin/tenants/${probe.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200)).body;
  });
  afterAll(() => api.close());

  const create = (body: unknown, field: string | null): BadRequest => ({ method: 'post', path: '/admin/tenants', body, status: 400, field });
  const patch = (body: unknown, field: string | null): BadRequest => ({ method: 'patch', path: '/admin/tenants/:tenant', body, status: 400, field });
  const badUuid = 'not-a-uuid';

  const ADMIN_CASES: Array<[string, BadRequest]> = [
    ["name ''", create({ name: '' }, 'name')],
    ['a name of spaces only', create({ name: '    ' }, 'name')],
    ['a name of 201 characters', create({ name: `${marker}-`.padEnd(201, 'x') }, 'name')],
    ['a numeric name', create({ name: 12345 }, 'name')],
    ['no name', create({ plan: 'pro' }, 'name')],
    ["plan 'gold'", create({ name: marker, plan: 'gold' }, 'plan')],
    ['an unknown field on create', create({ name: marker, status: 'active' }, 'status')],
    ['a client-chosen tenant id', create({ name: marker, id: randomUUID() }, 'id')],
    ['a malformed create body', create(`{"name": "${marker}"`, null)],
    ['an array as the create body', create(`[{"name": "${marker}"}]`, null)],
    ["PATCH status 'deleted'", patch({ status: 'deleted' }, 'status')],
    ['PATCH status null', patch({ status: null }, 'status')],
    ["PATCH plan 'gold'", patch({ plan: 'gold' }, 'plan')],
    ['PATCH of the name (not patchable)', patch({ name: 'renamed' }, 'name')],
    ['a malformed PATCH body', patch('{"status":', null)],
    ['GET of a bad tenant uuid', { method: 'get', path: `/admin/tenants/${badUuid}`, status: 400, field: 'id' }],
    ['PATCH of a bad tenant uuid', { method: 'patch', path: `/admin/tenants/${badUuid}`, body: { status: 'suspended' }, status: 400, field: 'id' }],
    ['DELETE of a bad tenant uuid', { method: 'delete', path: `/admin/tenants/${badUuid}`, status: 400, field: 'id' }],
    ['export of a bad tenant uuid', { method: 'get', path: `/admin/tenants/${badUuid}/export`, status: 400, field: 'id' }],
    ['a new key for a bad tenant uuid', { method: 'post', path: `/admin/tenants/${badUuid}/api-keys`, status: 400, field: 'id' }],
    ['revoking a bad key uuid', { method: 'delete', path: `/admin/tenants/:tenant/api-keys/${badUuid}`, status: 400, field: 'keyId' }],
    ['a uuid with a trailing character', { method: 'get', path: `/admin/tenants/${randomUUID()}0`, status: 400, field: 'id' }],
    ['isolating a bad tenant uuid', { method: 'post', path: `/admin/tenants/${badUuid}/isolate`, status: 400, field: 'id' }],
    ['tenant list limit=0', { method: 'get', path: '/admin/tenants?limit=0', status: 400, field: 'limit' }],
    ['tenant list limit=101', { method: 'get', path: '/admin/tenants?limit=101', status: 400, field: 'limit' }],
    ['a garbage tenant cursor', { method: 'get', path: '/admin/tenants?cursor=%%%', status: 400, field: 'cursor' }],
    [
      'a tenant cursor with a loose date',
      { method: 'get', path: `/admin/tenants?cursor=${cursorOf({ k: 'tenant', createdAt: 'March 7', id: randomUUID() })}`, status: 400, field: 'cursor' },
    ],
    [
      'a tenant cursor with a malformed id',
      {
        method: 'get',
        path: `/admin/tenants?cursor=${cursorOf({ k: 'tenant', createdAt: '2026-01-01T00:00:00.000000Z', id: '-'.repeat(36) })}`,
        status: 400,
        field: 'cursor',
      },
    ],
    [
      'a tenant cursor with a date that does not exist',
      {
        method: 'get',
        path: `/admin/tenants?cursor=${cursorOf({ k: 'tenant', createdAt: '2026-02-30T00:00:00.000000Z', id: randomUUID() })}`,
        status: 400,
        field: 'cursor',
      },
    ],
    [
      'a tenant cursor in year 0000',
      {
        method: 'get',
        path: `/admin/tenants?cursor=${cursorOf({ k: 'tenant', createdAt: '0000-01-01T00:00:00.000000Z', id: randomUUID() })}`,
        status: 400,
        field: 'cursor',
      },
    ],
    ['a NUL character in a tenant name', create({ name: `${marker}\u0000` }, 'name')],
    ['an order cursor on the tenant list', { method: 'get', path: `/admin/tenants?cursor=${cursorOf({ k: 'order', id: 5 })}`, status: 400, field: 'cursor' }],
    ['hot tenants limit=0', { method: 'get', path: '/admin/tenants/hot?limit=0', status: 400, field: 'limit' }],
    ["hot tenants limit='x'", { method: 'get', path: '/admin/tenants/hot?limit=x', status: 400, field: 'limit' }],
    ['a create body over 1 MiB', { method: 'post', path: '/admin/tenants', body: { name: 'n'.repeat(1024 * 1024 + 1) }, status: 413, field: null }],
  ];

  const namesWritten = () =>
    withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM tenants WHERE name LIKE $1 OR name IN ('', '12345') OR trim(name) = ''`,
        [`${marker}%`],
      );
      return rows[0].count;
    });
  const keysOfProbe = () =>
    withOwner(api.ownerUrl, async (client) => {
      const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL`, [
        probe.id,
      ]);
      return rows[0].count;
    });

  it.each(ADMIN_CASES)('refuses %s', async (_name, bad) => {
    const keysBefore = await keysOfProbe();
    const call = request(api.admin)[bad.method](bad.path.replace(':tenant', probe.id)).set(bearer(TEST_ADMIN_TOKEN));
    if (typeof bad.body === 'string') call.set('Content-Type', 'application/json');
    const response = bad.body === undefined ? await call : await call.send(bad.body as object);

    expectError(response, bad.status, bad.field === null ? { withDetails: false } : { field: bad.field });
    expect(await namesWritten()).toBe(0);
    expect(await keysOfProbe()).toBe(keysBefore);
    const after = await request(api.admin).get(`/admin/tenants/${probe.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    expect(after.body).toEqual(probeBefore);
  });
});
