import request from 'supertest';
import { bearer, createOrder, createTenant, TEST_ADMIN_TOKEN, TestTenant } from '@app/testing';
import { expectError, expectOrder, expectTenant } from './support/expectations';
import { startTestApi, TestApi } from './support/api';

interface Page {
  data: Array<Record<string, any>>;
  nextCursor: string | null;
}

describe('Pagination: ?limit=1..100 (default 20) and an opaque cursor, newest first', () => {
  let api: TestApi;
  let tenant: TestTenant;
  /** Ids of the tenant's 25 orders, oldest first; every fifth is cancelled. */
  let ids: number[];

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api.admin);
    ids = [];
    for (let index = 0; index < 25; index += 1) {
      ids.push((await createOrder(api.server, tenant, { note: `order ${index}` })).id);
    }
    for (let index = 0; index < 25; index += 5) {
      await request(api.server).post(`/v1/orders/${ids[index]}/cancel`).set(bearer(tenant.apiKey)).expect(200);
    }
  });
  afterAll(() => api.close());

  const listOrders = async (query: Record<string, string | number>): Promise<Page> => {
    const response = await request(api.server).get('/v1/orders').query(query).set(bearer(tenant.apiKey)).expect(200);
    expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
    for (const order of response.body.data) expectOrder(order, false);
    return response.body;
  };

  const walk = async (query: Record<string, string | number>): Promise<Page[]> => {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const page = await listOrders(cursor === null ? query : { ...query, cursor });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    return pages;
  };

  it('walks 25 orders with limit=10 as pages of 10, 10 and 5, then nextCursor null; newest first, no duplicates or gaps', async () => {
    const pages = await walk({ limit: 10 });
    expect(pages.map((page) => page.data.length)).toEqual([10, 10, 5]);
    expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
    for (const page of pages.slice(0, 2)) expect(typeof page.nextCursor).toBe('string');
    const seen = pages.flatMap((page) => page.data.map((order) => order.id));
    expect(seen).toEqual([...ids].reverse());
    const created = pages.flatMap((page) => page.data.map((order) => Date.parse(order.createdAt)));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('answers 20 orders by default', async () => {
    const page = await listOrders({});
    expect(page.data.map((order) => order.id)).toEqual([...ids].reverse().slice(0, 20));
    expect(page.nextCursor).not.toBeNull();
    const rest = await listOrders({ cursor: page.nextCursor as string });
    expect(rest.data.map((order) => order.id)).toEqual([...ids].reverse().slice(20));
    expect(rest.nextCursor).toBeNull();
  });

  it('answers every order with limit=100 and a single page with limit=25', async () => {
    expect((await listOrders({ limit: 100 })).data).toHaveLength(25);
    const exact = await listOrders({ limit: 25 });
    expect(exact.data).toHaveLength(25);
    expect(exact.nextCursor).toBeNull();
  });

  it('walks one order per page with limit=1', async () => {
    const pages = await walk({ limit: 1 });
    expect(pages.slice(0, 10).map((page) => page.data[0].id)).toEqual([...ids].reverse().slice(0, 10));
  });

  it('filters by status and keeps the filter across pages', async () => {
    const cancelled = ids.filter((_, index) => index % 5 === 0).reverse();
    const pending = ids.filter((_, index) => index % 5 !== 0).reverse();

    const cancelledPages = await walk({ status: 'cancelled', limit: 2 });
    expect(cancelledPages.map((page) => page.data.length)).toEqual([2, 2, 1]);
    expect(cancelledPages.flatMap((page) => page.data.map((order) => order.id))).toEqual(cancelled);
    for (const page of cancelledPages) for (const order of page.data) expect(order.status).toBe('cancelled');

    const pendingPages = await walk({ status: 'pending', limit: 7 });
    expect(pendingPages.map((page) => page.data.length)).toEqual([7, 7, 6]);
    expect(pendingPages.flatMap((page) => page.data.map((order) => order.id))).toEqual(pending);

    const paid = await listOrders({ status: 'paid' });
    expect(paid).toEqual({ data: [], nextCursor: null });
  });

  it('does not let a new order slip into or shift an ongoing walk', async () => {
    const own = await createTenant(api.admin);
    const created: number[] = [];
    for (let index = 0; index < 5; index += 1) created.push((await createOrder(api.server, own)).id);
    const first = await request(api.server).get('/v1/orders?limit=2').set(bearer(own.apiKey)).expect(200);
    await createOrder(api.server, own);
    const second = await request(api.server).get('/v1/orders').query({ limit: 2, cursor: first.body.nextCursor }).set(bearer(own.apiKey)).expect(200);
    expect([...first.body.data, ...second.body.data].map((order: { id: number }) => order.id)).toEqual([...created].reverse().slice(0, 4));
  });

  it("is tenant-scoped: another tenant's cursor walks the caller's own orders only", async () => {
    const other = await createTenant(api.admin);
    const mine = await createOrder(api.server, other);
    const cursor = (await listOrders({ limit: 3 })).nextCursor as string;
    const response = await request(api.server).get('/v1/orders').query({ cursor }).set(bearer(other.apiKey)).expect(200);
    // The caller's only order is newer than the cursor's position: nothing of its own comes after it.
    expect(response.body.data).toEqual([]);
    const all = await request(api.server).get('/v1/orders').set(bearer(other.apiKey)).expect(200);
    expect(all.body.data.map((order: { id: number }) => order.id)).toEqual([mine.id]);
    for (const order of response.body.data) expect(ids).not.toContain(order.id);
  });

  describe('GET /admin/tenants', () => {
    const admin = (query: Record<string, string | number>) => request(api.admin).get('/admin/tenants').query(query).set(bearer(TEST_ADMIN_TOKEN)).expect(200);

    it('pages tenants newest first with a cursor, without duplicates', async () => {
      const created: string[] = [];
      for (let index = 0; index < 3; index += 1) created.push((await createTenant(api.admin)).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      // Other test files may add tenants at the top while this walks: look until all three are seen.
      for (let pages = 0; pages < 50 && !created.every((id) => seen.includes(id)); pages += 1) {
        const response = await admin(cursor === null ? { limit: 2 } : { limit: 2, cursor });
        expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
        expect(response.body.data.length).toBeLessThanOrEqual(2);
        for (const row of response.body.data) expectTenant(row);
        seen.push(...response.body.data.map((row: { id: string }) => row.id));
        cursor = response.body.nextCursor;
        if (cursor === null) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => created.includes(id))).toEqual([...created].reverse());
    });

    it('answers 20 tenants and a cursor by default when there are more', async () => {
      for (let index = 0; index < 21; index += 1) await createTenant(api.admin);
      const response = await admin({});
      expect(response.body.data).toHaveLength(20);
      expect(typeof response.body.nextCursor).toBe('string');
    });

    it('answers 400 for an order cursor, and /v1/orders answers 400 for a tenant cursor', async () => {
      const tenantCursor = (await admin({ limit: 1 })).body.nextCursor as string;
      expect(typeof tenantCursor).toBe('string');
      const orderCursor = (await listOrders({ limit: 1 })).nextCursor as string;
      expectError(await request(api.admin).get('/admin/tenants').query({ cursor: orderCursor }).set(bearer(TEST_ADMIN_TOKEN)), 400, { field: 'cursor' });
      expectError(await request(api.server).get('/v1/orders').query({ cursor: tenantCursor }).set(bearer(tenant.apiKey)), 400, { field: 'cursor' });
    });
  });
});
